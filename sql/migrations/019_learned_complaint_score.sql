-- 019: the learned complaint stage's score (pipeline/scoring/learned.py), stored next to the
-- cue score `complaint_score`. NULL where the stage did not run: the brand has it off
-- (overrides.learned_complaints), the post is the brand's own reply or a repost, or its cue
-- score was outside the stage's band. Rows stored before this migration keep NULL.
alter table posts add column learned_complaint_score double;
