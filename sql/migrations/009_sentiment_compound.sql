-- 009: the compound score the sentiment label is taken from: VADER's compound after the
-- known-misread fixes of models/vader_fixes.yaml ("not horrible", "no problems", emoji with
-- variation selectors). `compound` stays VADER's exact output on the original text. Rows
-- stored before this migration had no fixes applied, so theirs is their compound.
alter table posts add column sentiment_compound double;

update posts set sentiment_compound = compound where sentiment_compound is null;
