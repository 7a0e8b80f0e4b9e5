"""Phrase data for the demo source: post templates, slot fills, names and emoji.

Pure data, no logic: :mod:`pipeline.ingest.sources.demo.text` compiles it once at import.

Template syntax
---------------
``{slot}`` is a placeholder (``str.format`` syntax, no format specs) and ``[a|b|c]`` picks one
of its alternatives, each as likely (an alternative may be empty, e.g. ``[|really ]``, and
may hold slots, but not another ``[...]``). Spacing is tidied after rendering, so an empty
alternative may leave two spaces behind. Slots come from five places, all resolved by the
demo source:

- brand slots, from the brand's config: ``{brand}`` (a spelling of its name), ``{short}``
  (its first word, lower case), ``{at}`` (one of its @accounts), ``{tag}`` (a hashtag),
  ``{status}`` (a status-page link);
- locale slots, from the brand's time zone: ``{city}``;
- generated slots: ``{order}``, ``{ref}``, ``{link}``, ``{newslink}``, ``{spamlink}``,
  ``{money}`` (an amount in the brand's currency), ``{price}`` (an advertised price),
  ``{small}`` (a few units of money), ``{time}`` (a time of day), ``{last4}``;
- :data:`COMMON_SLOTS`, shared by every profile;
- :data:`PROFILE_SLOTS`, per profile.

Template keys
-------------
The *core* of a post: ``complaint.<category>``, ``incident.<category>`` (complaints about a
running incident), ``praise``, ``question``, ``neutral``, ``spam``, ``reply.<category>`` /
``reply.complaint`` / ``reply.incident`` / ``reply.question`` / ``reply.praise`` (the brand's
answers) and ``followup.resolved`` / ``followup.unresolved`` (the customer answering back).

Parts added to a core now and then: ``more.<core key>`` (a concrete detail: how long, how
much, which order, what was tried) and ``so.complaint`` (what it cost the customer). A core
key missing in Spanish falls back to English; a missing part is simply left out.

People do not write the same sentence twice, so posts are composed: opener, core, detail,
consequence, closer, a personal verbal tic, emoji, hashtag and @mention are picked
independently, each core has several paraphrases inside it, and every author keeps a style
of their own (see ``_Style`` in the demo source).

Some texts are deliberately hard for a lexicon scorer: polite or sarcastic complaints that
read positive ("thanks for the 3 hour wait 🙃") and happy posts full of negative words
("this new pebble plan is sick 🔥").
"""

from __future__ import annotations

from typing import Final

Texts = dict[str, tuple[str, ...]]

# --------------------------------------------------------------------------------------
# Shared by every profile
# --------------------------------------------------------------------------------------

COMMON_SLOTS: Final[dict[str, tuple[str, ...]]] = {
    "hours": ("2", "2", "3", "3", "4", "5", "6", "7", "8"),
    "mins": (
        "10", "15", "20", "25", "30", "35", "40", "45", "50", "55", "65", "75", "80", "90",
        "100", "110", "120",
    ),
    "days": (
        "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "16", "18", "21",
    ),
    "n": ("2", "3", "3", "4", "5", "6"),
    "nth": ("3rd", "3rd", "4th", "5th", "6th", "7th"),
    "years": ("2", "3", "4", "5", "6", "7", "8", "10", "12", "15"),
    "relative": (
        "dad", "mom", "nan", "grandpa", "aunt", "little brother", "flatmate", "boss", "sister",
        "husband", "wife", "girlfriend", "boyfriend", "uncle", "cousin", "neighbour", "son",
        "daughter", "roommate", "best friend",
    ),
    "weekday": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "abroad": (
        "Mexico", "Canada", "Spain", "the UK", "Japan", "Italy", "the Dominican Republic",
        "Portugal", "Greece", "Colombia", "France", "Puerto Rico",
    ),
    "daypart": (
        "today", "this morning", "tonight", "this afternoon", "last night", "yesterday",
        "at lunch", "earlier", "this evening", "again today",
    ),
    "spell": (
        "all week", "since yesterday", "all weekend", "all day", "for days", "this week",
        "since this morning", "all evening", "for a week now", "since the weekend",
    ),
    "sig": ("JM", "AK", "RT", "SL", "DP", "NB", "CW", "EO", "MV", "TH"),
    "familiar": (
        "mamá", "papá", "hermana", "hermano", "novia", "esposo", "tía", "abuela", "hijo",
    ),
}  # fmt: skip

#: Interjections put in front of a post now and then, by language and voice.
OPENERS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "en": {
        "complaint": (
            "ugh.", "seriously?", "not again.", "honestly", "ok so", "PSA:", "rant:", "wow.",
            "yet again", "update:", "day 2 of this.", "I'm so tired.", "unreal.", "ffs",
            "cool cool cool.", "so", "right.", "brilliant.", "here we go again.", "why.",
            "of course", "genuinely losing it.", "every week.", "can someone explain",
            "i swear", "lovely.", "not impressed.", "oh good.", "sigh.", "and today's episode:",
        ),
        "praise": (
            "ok", "honestly", "ngl", "not gonna lie,", "wow", "shoutout time:", "update:",
            "ok i'll admit it,", "credit where it's due:", "small win:", "genuinely", "PSA:",
            "happy customer here:", "gotta say,", "so", "fair play,", "i'll be honest,",
            "wasn't expecting this but", "quick appreciation post:", "good news:",
        ),
        "question": (
            "quick question:", "help!", "hey,", "hi!", "random question but", "ok so",
            "genuine question:", "sorry if this is dumb but", "hi all,", "question:",
            "hoping someone knows:", "hello,", "can anyone help?", "odd one:", "um",
        ),
        "neutral": (
            "so", "ok", "lol", "fun fact:", "random but", "update:", "huh,", "news:",
            "well", "anyway", "so yeah", "today in boring news:", "hm,",
        ),
        "resolved": ("update:", "ok", "oh nice,", "yep,", "phew,", "right,"),
        "unresolved": ("um", "sorry but", "honestly", "right.", "again:", "so"),
    },
    "es": {
        "complaint": ("uf.", "en serio?", "otra vez.", "increíble.", "ya no sé qué hacer.", "ojo:"),
        "praise": ("bueno,", "la verdad", "ok", "wow", "hay que decirlo:", "de verdad"),
        "question": ("pregunta:", "hola,", "ayuda!", "una duda:", "alguien sabe?"),
        "neutral": ("bueno", "ok", "jaja", "dato:", "pues"),
        "resolved": ("listo,", "bueno,", "ok,"),
        "unresolved": ("eh", "perdón pero", "otra vez:"),
    },
}  # fmt: skip

#: Tails added now and then, by language and voice. A tail starting with punctuation is
#: attached without a space ("...", "!!").
CLOSERS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "en": {
        "complaint": (
            "smh", "ugh", "unreal", "fix it", "sort it out", "so annoying",
            "every. single. time.", "!!", "...", "i'm done", "anyone else?", "fr",
            "come on", "absolute joke", "not ok", "i give up", "this is the last straw",
            "why is this so hard", "sort it out please", "honestly", "so tired of this",
            "how hard can it be", "ridiculous", "getting old", "seriously", "do better",
            "never again", "what a joke", "not acceptable", "i'm fuming", "wtf",
        ),
        "praise": (
            "!!", "10/10", "lol", "genuinely", "fr", "well done", "no notes", "love it", "!",
            "would recommend", "didn't expect that", "happy days", "made my day", "more of this",
            "thank you", "impressed", "great stuff", "keep it up", "that's how it's done",
            "chef's kiss", "top marks",
        ),
        "question": (
            "anyone?", "thanks!", "pls", "??", "thx", "asking for a friend", "help",
            "thanks in advance", "ty", "any ideas?", "cheers", "would appreciate it",
        ),
        "neutral": (
            "lol", "fr", "we'll see", "interesting", "hmm", "!", "anyway", "ok then", "lmao",
            "who knew", "make of that what you will", "that's all", "neat",
        ),
        "resolved": ("!", "🙏", "cheers", "appreciated", "much appreciated", "legend"),
        "unresolved": ("??", "...", "come on", "seriously", "please", "hello??"),
    },
    "es": {
        "complaint": ("qué mal", "...", "!!", "ya basta", "de verdad", "pésimo"),
        "praise": ("!!", "10/10", "de verdad", "así sí", "genial"),
        "question": ("gracias!", "??", "porfa", "alguien?"),
        "neutral": ("jaja", "a ver", "ya veremos", "pues nada"),
        "resolved": ("!", "gracias", "mil gracias"),
        "unresolved": ("??", "...", "por favor"),
    },
}  # fmt: skip

#: Verbal tics; each author has at most one and uses it now and then. ``True``: said first.
TICS: Final[dict[str, tuple[tuple[str, bool], ...]]] = {
    "en": (
        ("tbh", False), ("ngl", True), ("fr", False), ("lol", False), ("honestly", True),
        ("literally", True), ("lowkey", True), ("imo", False), ("idk", False), ("tho", False),
        ("icl", True), ("lmao", False), ("fwiw", True), ("oof", True),
        ("haha", False), ("just saying", False), ("no joke", False), ("man", True),
        ("bro", True), ("y'all", False), ("mate", False), ("jeez", True), ("tbf", True),
    ),
    "es": (
        ("la verdad", True), ("jaja", False), ("o sea", True), ("bueno", True), ("neta", False),
        ("tipo", True), ("en fin", False),
    ),
}  # fmt: skip

#: How an author joins two sentences (weighted by repetition).
SEPARATORS: Final[tuple[str, ...]] = (". ", ". ", ". ", ". ", ". ", " - ", ", ", "... ")

#: How an author ends a post that ends in a word (weighted by repetition).
ENDINGS: Final[tuple[str, ...]] = ("", "", "", "", ".", ".", "!", "...")

#: Advertised prices (a plan a month, a fee), before the currency sign.
PRICES: Final[tuple[str, ...]] = (
    "9.99", "15", "19.99", "25", "29.99", "30", "35", "39.99", "40", "45", "49.99", "55",
    "60", "65", "70", "75", "85", "90",
)  # fmt: skip

#: How news accounts flag a headline now and then.
NEWS_OPENERS: Final[tuple[str, ...]] = (
    "NEW:", "BREAKING:", "JUST IN:", "Report:", "Update:", "ICYMI:", "Read:", "Analysis:",
    "Exclusive:", "Business:", "Tech:", "Consumer news:",
)  # fmt: skip

COMMON_TEXTS: Final[dict[str, Texts]] = {
    "en": {
        "spam": (
            "🎁 GIVEAWAY 🎁 win {prize}! follow + [RT|retweet|like] + tag [3|2|5] friends "
            "{spamlink}",
            "🚀 $MOON is about to [100x|50x|moon], get in before it's too late 👉 {spamlink} {tag}",
            "follow for follow 🔁 i follow back 100% ✅ {tag}",
            "F4F? drop a 🔥 and i follow back instantly {tag} #follow4follow",
            "make {money} a day from home, DM me 'INFO' {spamlink}",
            "the first [100|50|200] people get {prize} FREE!!! claim here 👉 {spamlink}",
            "crypto signals 📈 [92|94|97]% win rate. join my telegram {spamlink} {tag}",
            "{brand} customers: claim your {money} loyalty reward before midnight {spamlink}",
            "🔥 cheap followers 🔥 1k for {money}, instant delivery {spamlink}",
            "I made $4,500 last week with this app, no joke {spamlink} {tag}",
            "🎉 {tag} winners announced!! check if you won {prize} {spamlink}",
            "need a side hustle? 💸 my mentor changed my life {spamlink}",
            "🚨 AIRDROP LIVE 🚨 connect wallet and claim {spamlink} {tag}",
        ),
        "more.spam": (
            "⏰ ends tonight",
            "limited spots!!",
            "100% legit",
            "no scam",
            "#giveaway #win",
            "#crypto #bitcoin",
            "🔥🔥🔥",
            "don't miss out",
            "link in bio",
            "hurry!!",
            "DM me",
            "#ad",
            "🤑🤑",
            "only {n} spots left",
            "act fast",
            "✅ verified",
            "#free",
        ),
        "followup.resolved": (
            "[sorted|all sorted|fixed|all fixed] now, [thanks|thank you|cheers|ta] 🙏",
            "[that|that's|yep that] worked[|, cheers|, thank you|, thanks][| so much]!",
            "[all good|all working|sorted] now, [appreciate|really appreciate|thanks for] the "
            "[quick|fast|speedy] [reply|help|response]",
            "[thanks|thank you|cheers], the [refund|credit|money] [came through|is showing "
            "now|landed this morning|is back]",
            "ok that [fixed it|did it|worked]. thank you[|!| so much]",
            "[great|perfect|lovely|amazing], thanks for [sorting it|sorting that out|the "
            "help|getting back to me]",
            "[working again|all back to normal|back up and running], thanks for the [help|quick "
            "fix|support] ❤️",
            "[just|finally] got it [working|sorted]. [thanks|thank you] for [your patience|the "
            "help]",
            "[oh nice|nice one|perfect], [that's|that is] [done|sorted|working] now",
            "[the|your] DM [helped|did the trick]. all [good|sorted] now",
            "yep, [that's|that is] [it|the fix]. [thanks|thank you|cheers]",
            "[brilliant|amazing|great stuff], [all working|back to normal] [now|again]",
            "[cheers|thanks] for [the|your] [help|reply][|, all good now|, sorted]",
            "[that's|that is] [sorted|fixed] [now|then], thanks [for being so quick|a lot]",
        ),
        "more.followup.resolved": (
            "took {mins} mins in the end",
            "[credit|refund] is showing on my account now",
            "the agent was [really|super] [patient|helpful|nice]",
            "[should've|should have] messaged you [sooner|days ago]",
            "[wish|shame] it didn't take {days} days [though|tho]",
            "didn't expect [such a quick|a reply that fast]",
            "[you're|you guys are] legends",
            "much better than [last time|the phone line]",
        ),
        "followup.unresolved": (
            "DM'd you {hours} hours ago. [nothing|no reply|still nothing|crickets]",
            "still not [fixed|sorted|working|resolved][| btw| fyi| by the way| after all that]",
            "you said that [last week|{days} days ago|on {weekday}|last time] too",
            "sent the DM, got a [form reply|canned answer|copy-paste reply|faq link]. still "
            "[broken|not fixed|the same]",
            "ok but when[|?| exactly| tho]",
            "i already [did|tried] all that. [twice|{n} times|yesterday]",
            "this is the {nth} time i've [sent my details|explained this|given my account "
            "number|DM'd you]",
            "no reply to my DM [yet|since {weekday}|after {hours} hours]. [shocking|what a "
            "surprise|classic]",
            "another [canned|copy-paste|automated] [answer|reply]. [brilliant|great|wonderful]",
            "[that|this] doesn't [help|answer my question] [at all|one bit]",
            "[tried|did] that[| already]. [same problem|nothing changed|no difference]",
            "[i've|i have] [DM'd|messaged] you [{n}|three|several] times [now|already]",
            "so what happens [now|next]? [nobody's|nobody has] [called|contacted] me",
            "[been|waited] {days} days [for that|for this] [DM|callback|reply]. [nothing|zip]",
            "[your|the] [agent|person] in DMs [stopped replying|went quiet|closed the chat]",
            "[please|pls|can you] just [fix it|refund me|call me|sort it out]",
        ),
        "more.followup.unresolved": (
            "[ticket|case] {ref}",
            "it's been {days} days",
            "i've got screenshots",
            "[still|and still] no [refund|fix|callback]",
            "[every|each] agent [says|tells me] something different",
            "this is [exhausting|ridiculous|a joke]",
            "[my|our] {relative} has the same issue",
            "[i'm|am] about to [leave|switch|cancel]",
        ),
    },
    "es": {
        "more.spam": ("⏰ solo hoy", "🔥🔥", "no es estafa", "#sorteo"),
        "followup.resolved": (
            "[ya quedó|ya está|listo], [gracias|muchas gracias|mil gracias] 🙏",
            "[listo|perfecto], ya funciona. ¡gracias!",
            "todo bien ahora, gracias por la ayuda",
            "[ya|por fin] [me llegó|apareció] el reembolso, gracias",
            "[funcionó|eso funcionó], [gracias|mil gracias] por [responder|la ayuda]",
        ),
        "followup.unresolved": (
            "sigo sin solución",
            "ya les escribí por DM hace {hours} horas y [nada|nadie responde]",
            "otra respuesta automática. genial",
            "[eso|lo] ya lo hice [dos veces|{n} veces|ayer]",
            "[siguen|seguimos] igual, [no funciona|nada cambió]",
            "¿y cuándo? [llevo|ya van] {days} días",
        ),
        "more.followup.unresolved": ("caso {ref}", "ya van {days} días", "tengo capturas"),
    },
}

EMOJI: Final[dict[str, tuple[str, ...]]] = {
    "complaint": (
        "🙃", "😡", "😤", "🤬", "💀", "😩", "🤦‍♀️", "🤦🏻‍♂️", "😮‍💨", "👎", "🙄", "😒", "😭",
    ),
    "praise": ("❤️", "👍🏽", "🙌", "🔥", "😍", "👏🏾", "💯", "🥳", "✨", "🙏🏻", "💚", "😊"),
    "question": ("🤔", "🙏", "👀", "❓", "🙏🏼"),
    "neutral": ("👀", "🤷‍♂️", "😅", "🤞", "😂", "🫠"),
}  # fmt: skip

#: Generic hashtags added now and then to complaints; the brand's own come from its config.
HASHTAGS: Final[tuple[str, ...]] = (
    "#customerservice", "#fail", "#help", "#mondaymood", "#firstworldproblems", "#rant",
    "#badservice", "#notimpressed", "#complaint", "#sortitout",
)  # fmt: skip

# --------------------------------------------------------------------------------------
# Locales, picked by the brand's time zone (first matching prefix wins)
# --------------------------------------------------------------------------------------

AMOUNTS: Final[tuple[str, ...]] = (
    "9.99", "12", "15.50", "20", "24.99", "30", "35", "45", "60", "84.17", "110", "129.99",
)  # fmt: skip

LOCALES: Final[tuple[tuple[str, str, tuple[str, ...]], ...]] = (
    (
        "America/",
        "$",
        (
            "Brooklyn", "Queens", "Jersey City", "Newark", "Philly", "Boston", "Hoboken",
            "Yonkers", "Stamford", "the Bronx", "Albany", "Baltimore", "DC", "Pittsburgh",
        ),
    ),
    (
        "Europe/London",
        "£",
        (
            "Leeds", "Manchester", "Bristol", "Croydon", "Hackney", "Brighton", "Reading",
            "Sheffield", "Leicester", "Milton Keynes", "Nottingham", "Cardiff", "Oxford",
        ),
    ),
    (
        "Europe/",
        "€",
        ("Dublin", "Amsterdam", "Berlin", "Madrid", "Lisbon", "Paris", "Milan", "Vienna"),
    ),
    ("", "$", ("the city", "downtown", "the suburbs", "uptown", "the north side")),
)  # fmt: skip

# --------------------------------------------------------------------------------------
# Names for the author pool
# --------------------------------------------------------------------------------------

FIRST_NAMES: Final[tuple[str, ...]] = (
    "jess", "marcus", "dani", "kayla", "tom", "priya", "liam", "zoe", "sam", "mo", "chris",
    "aisha", "ben", "nat", "olivia", "jake", "emma", "ryan", "leah", "dev", "hannah", "josh",
    "megan", "alex", "tash", "kev", "rachel", "omar", "sophie", "luke", "amy", "raj", "beth",
    "dan", "ellie", "nick", "jas", "mike", "katie", "sean", "chloe", "tyler", "maya", "will",
    "grace", "andre", "lucy", "jordan", "fran", "kim", "paul", "nina", "harry", "tori",
)  # fmt: skip

FIRST_NAMES_ES: Final[tuple[str, ...]] = (
    "carlos", "maria", "javi", "lucia", "diego", "sofia", "ale", "pablo", "vale", "jose",
    "camila", "andres", "paola", "luis", "gaby", "mateo", "rosa", "nico", "fer", "isa",
)  # fmt: skip

LAST_NAMES: Final[tuple[str, ...]] = (
    "miller", "reid", "patel", "nguyen", "smith", "jones", "garcia", "brown", "khan", "lee",
    "walker", "lopez", "hall", "young", "wright", "cole", "diaz", "moore", "shaw", "kelly",
    "price", "ortiz", "bell", "ward", "fox", "hughes", "cruz", "rossi", "kim", "chen",
)  # fmt: skip

HANDLE_WORDS: Final[tuple[str, ...]] = (
    "coffee", "gamer", "mama", "runner", "vibes", "daily", "music", "books", "sky", "pixel",
    "plants", "chef", "sunny", "cat", "dog", "bikes", "tacos", "travels", "art", "lofi",
    "crafts", "yoga", "nerd", "mets", "hoops", "tea", "dad", "foodie", "wanders", "moon",
)  # fmt: skip

BOT_WORDS: Final[tuple[str, ...]] = (
    "crypto", "promo", "giveaway", "deals", "fx", "nft", "moon", "win", "bonus", "cash",
    "prize", "forex", "earn", "airdrop", "followback", "gains", "lucky", "free",
)  # fmt: skip

#: News and consumer-affairs accounts; they post the news-style neutral mentions.
MEDIA_HANDLES: Final[tuple[str, ...]] = (
    "TechWireNews", "MetroDaily", "ConsumerWatch", "MobileInsiderHQ", "RetailGazette",
    "CityPulseNews", "TheDealDesk", "MarketBeatNow", "GadgetLens", "MoneyMatters_",
    "LocalNewsLive", "ShopperTalk",
)  # fmt: skip

NEWS_SITES: Final[tuple[str, ...]] = ("news", "techwire", "metrodaily", "consumerwatch")
LINK_SITES: Final[tuple[str, ...]] = ("pics", "img", "snap", "vid", "share")
SPAM_SITES: Final[tuple[str, ...]] = ("fr33-prizes", "moonx-coin", "bit-ly-win", "cashapp-gift")

# --------------------------------------------------------------------------------------
# Profiles
# --------------------------------------------------------------------------------------

PROFILE_SLOTS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "telecom": {
        "plan": (
            "Unlimited Plus", "Unlimited Starter", "Go 15GB", "Family 4-line", "Prepaid 30",
            "Unlimited Max", "Student 10GB",
        ),
        "phone": (
            "iPhone 16", "iPhone 15", "Pixel 9", "Galaxy S25", "Galaxy A55", "Moto G Power",
            "iPhone 13 mini", "Pixel 8a", "OnePlus 12", "iPhone 16 Pro", "Galaxy Z Flip6",
            "iPhone SE", "Pixel 9 Pro",
        ),
        "feature": (
            "eSIM", "wifi calling", "5G", "hotspot", "visual voicemail", "roaming",
            "number porting", "call forwarding", "group texts", "RCS",
        ),
        "area": (
            "downtown", "my apartment", "the office", "the subway", "the airport", "campus",
            "the stadium", "my building", "the east side", "my parents' place", "the mall",
            "my kitchen", "the gym", "the train station", "my street", "the hospital",
            "the park", "my bedroom", "work", "the highway",
        ),
        "store": (
            "the Main St store", "the mall store", "your downtown store", "the airport kiosk",
            "the store on 5th", "the Broadway store", "the store by the station",
        ),
        "prize": (
            "an iPhone 16 Pro", "a PS5", "a $500 gift card", "a pair of AirPods", "a Galaxy S25",
        ),
        "app_error": (
            "'something went wrong'", "'unexpected error'", "'error 503'",
            "'please try again later'", "a blank white screen", "'session expired'",
            "a spinning wheel", "'we're having trouble connecting'",
        ),
        "mbps": ("0.1", "0.2", "0.3", "0.4", "0.6", "0.8", "1.2", "1.5", "2"),
        "fast": ("312", "480", "540", "650", "720", "870", "905", "1,100"),
        "gb": ("5", "8", "10", "12", "15", "20", "30", "40", "50"),
    },
    "grocery": {
        "item": (
            "strawberries", "oat milk", "bananas", "sourdough", "free-range eggs", "avocados",
            "chicken thighs", "greek yoghurt", "tomatoes", "salmon fillets", "baby spinach",
            "basmati rice", "cheddar", "blueberries", "coffee beans", "nappies", "beef mince",
            "bread rolls", "tofu", "lemons", "hummus", "oat biscuits", "raspberries",
            "peppers", "mushrooms", "butter", "croissants", "orange juice", "frozen peas",
            "pasta", "mozzarella", "apples", "cucumber", "sausages", "bagels", "double cream",
        ),
        "window": ("7-8am", "8-9am", "12-1pm", "5-6pm", "6-7pm", "7-8pm", "8-9pm", "9-10pm"),
        "prize": (
            "a £500 shopping voucher", "a year of free groceries", "a luxury hamper", "a PS5",
            "a £250 gift card",
        ),
        "meal": (
            "dinner", "tea", "the kids' packed lunches", "sunday lunch", "a birthday tea",
            "tonight's dinner", "breakfast", "the week's lunches", "a dinner party",
            "my mum's birthday meal",
        ),
        "app_error": (
            "'unexpected error'", "'something went wrong'", "'payment failed'",
            "'slot no longer available'", "a blank screen", "'please try again'",
            "'basket could not be updated'",
        ),
        "n_items": ("3", "4", "5", "6", "7", "8", "11"),
    },
}  # fmt: skip

TELECOM_EN: Final[Texts] = {
    "complaint.outage": (
        "{at} no [signal|service|bars|data] [in|at] {area} since [this morning|{time}|last "
        "night|lunchtime]. [paying for a service i can't use|what am i even paying for|love "
        "paying for nothing]",
        "is {brand} down [again|rn|right now|for anyone else]?? [nothing loading|nothing will "
        "load|no data|can't load anything] in {city}",
        "{at} my data has been [crawling|painfully slow|useless|dead slow] [all day|{spell}|for "
        "{hours} hours]. [1 bar of 5G, sure|full bars and nothing loads|can't even load a text]",
        "[third|{nth}] dropped call [today|this morning|in an hour|since lunch]. {brand} what is "
        "going on [in|at] {area}",
        "{at} can't log in to the app, [keeps saying|it just says|all i get is] {app_error}. "
        "[helpful.|very helpful.|cool.|brilliant.]",
        "the {brand} app has been down for {hours} hours and i can't [pay my bill|check my "
        "usage|top up|see my plan]",
        "SOS only on my phone [in the middle of|in|all over] {city}[|. in 2026|. again]",
        "{feature} stopped working after the [update|latest update|carrier update|last update] "
        "{at}",
        "texts arriving [{hours} hours|{mins} minutes|half a day] late. great network you have "
        "there {at}",
        "love paying {price} a month for [zero|no|0] bars [at home|in my own kitchen|in {area}] "
        "🙃 {at}",
        "{at} hotspot keeps [disconnecting|dropping|cutting out] every [{mins} minutes|few "
        "minutes|10 minutes] and i have a [deadline|meeting at {time}|zoom call in 5 mins|class "
        "at {time}]",
        "no bars, no wifi calling, no clue. [thanks|cheers|great job] {at}",
        "calls [from|in] {area} keep cutting out after [30 seconds|a minute|{n} minutes] {at}",
        "{brand} signal in {city} is a joke. full bars, nothing [loads|works|sends]",
        "wow, {brand} data works perfectly... when i'm standing [on the balcony|in the "
        "bathtub|by the window|on one leg in the kitchen] 👍",
        "[can't|cannot] make calls [at all |]from {area} [{spell}|since {time}]. {at} [is there "
        "an issue|what's going on|any news]",
        "my {phone} keeps [dropping|switching] to [3G|LTE|no service|one bar] [in|at] {area} {at}",
        "[voicemail|visual voicemail] [isn't|is not] [working|loading] and [my messages are "
        "gone|nothing will play] {at}",
        "{at} [every|each] time i [walk into|get to|step into] {area} my phone [loses "
        "signal|drops to no service|goes dead]",
        "[spent|wasted] {mins} minutes trying to send one [photo|text|email] on {brand} [data|5G]",
        "[my|the] speed test [says|shows] {mbps} mbps [on|with] {brand} 5G. [in|in the middle "
        "of] {city}. [lol|ok|cool]",
        "group chats [not|aren't] [sending|coming through] [at all|{spell}] on {brand} {at}",
        "{brand} [dropped|cut off] my call with [the bank|the doctor|my {relative}|a job "
        "recruiter] [twice|{n} times] [{daypart}|in {mins} minutes]",
        "[paying for {plan} and getting|i pay for {plan} and get] [dial-up speeds|speeds from "
        "2005|one bar] in {area}",
        "{at} my phone says 'no service' [every time|whenever] i [leave|go into] {area}. [it's "
        "been weeks|for {days} days now]",
    ),
    "more.complaint.outage": (
        "restarted my phone {n} times",
        "tried airplane mode, [nothing|no change|didn't help]",
        "been like this since {time}",
        "[my|the] {phone} is [fine|working fine] on wifi",
        "[reset|did a reset of] network settings, [still nothing|same thing]",
        "speed test says {mbps} mbps",
        "my {relative} on the same plan has the same problem",
        "it was fine [yesterday|last week|until {weekday}]",
        "[this|it] happens every [evening|morning|weekend] [now|lately]",
        "{nth} day in a row",
        "signal goes from full bars to nothing [every few minutes|constantly]",
        "not even [{feature}|wifi calling] works",
        "[and|plus] my {relative}'s phone on {brand} is the same",
        "already [swapped|changed] the SIM",
        "[my|our] whole [building|street] says the same",
    ),
    "so.complaint": (
        "wasted [my whole|my] [lunch break|afternoon|evening] on this",
        "[thinking of|about to|seriously considering] [switching|leaving|cancelling]",
        "[i'm|honestly i'm] [so done|done|over it]",
        "been a customer for {years} years. for what",
        "this is [stressing me out|ruining my week|the last thing i needed]",
        "[had to|now i have to] [call|chat with|deal with] [support|customer service] again",
        "on my [lunch break|day off|birthday] too",
    ),
    "so.complaint.billing": (
        "[now|and now] i'm [overdrawn|short for rent|short this month]",
        "my bank charged me [an overdraft fee|{small}] because of it",
        "[had to|now i have to] [move money around|borrow from my {relative}]",
        "wasted [my whole|my] [lunch break|afternoon] on this",
        "[thinking of|about to] [switching|leaving|cancelling]",
    ),
    "so.complaint.delivery": (
        "[now|so] i'm [stuck|without a phone] [for the weekend|until next week]",
        "my old phone is [dying|cracked|on 5%]",
        "i took [the day|the morning] off for this",
        "[thinking of|about to] [cancelling the order|buying it somewhere else]",
    ),
    "so.complaint.outage": (
        "missed a call from [work|my boss|the doctor|the school|my {relative}|a recruiter]",
        "had to [use|borrow] my [neighbor's|{relative}'s] wifi",
        "couldn't [get my 2FA code|log in to my bank|get an uber|pay for parking|order food]",
        "nearly missed [my train|a job interview|my flight|a meeting]",
        "had to [walk to|drive to|go to] [a coffee shop|the library|a mcdonald's] [for wifi|to "
        "send one email]",
        "working from home is impossible like this",
        "[my|the] uber driver couldn't call me",
        "now i'm [late for work|running late|behind on everything]",
        "[i'm|and i'm] [paying|wasting] {price} a month for this",
        "[my|the] kids can't do their homework",
        "and i'm on call [tonight|this week]",
        "i had to [cancel|reschedule] [a meeting|an appointment|my plans]",
        "[couldn't|can't] even call my {relative} back",
        "lost [an hour|half a day|{hours} hours] of work",
        "[and|plus] my {relative} [can't reach me|keeps trying to call me|is stuck without a "
        "phone too]",
    ),
    "complaint.billing": (
        "{at} charged twice this month [AGAIN|again|for the {nth} time]. {money} gone. [where is "
        "my refund|i want it back|fix it|who do i talk to]",
        "[great|cool|fantastic|amazing], charged [twice|double] again. [love that for me|just "
        "what i needed|perfect timing before rent] {at}",
        "been waiting {days} days for a refund of {money}. ticket {ref}. [anyone?|hello?|any "
        "update?]",
        "why is my bill [{small}|{money}] more than [my plan|last month|what i signed up for]?? "
        "{at}",
        "{at} autopay took {money} [twice|on the wrong date|a week early] and the chat says "
        "['allow 7-10 business days'|'please be patient'|'it's being looked into']. [no.|not "
        "ok.|i have rent due.]",
        "surprise {money} ['service fee'|'admin fee'|'network access fee'|'regulatory charge'] "
        "on my bill. never agreed to that {at}",
        "cancelled my line {days} days ago and still got billed {money} {at}",
        "{brand} billing is a joke. paid on time, [got a late fee anyway|still got a {money} "
        "late fee|got a 'payment overdue' text]",
        "what a lovely surprise, a {money} roaming charge for a trip [i never took|to {abroad} i "
        "never took|i took last year] {at}",
        "{at} your app says paid, your bill says overdue. which one is it",
        "[third|{nth}] month in a row my {brand} bill is wrong. [impressive consistency|at least "
        "you're consistent|how]",
        "{at} promised a {money} credit on my account {days} days ago. still not there",
        "my {plan} bill [jumped|went up] {small} [overnight|this month|with no warning] {at}",
        "{at} i was told the [activation fee|upgrade fee|sim fee] would be waived. it's on my "
        "bill. {money}",
        "got billed for a {phone} i [returned|sent back] [{days} days ago|last month|weeks ago]",
        "{brand} took {money} out of my account [on the wrong day|a week early|twice] and now "
        "i'm overdrawn",
        "[why|how] am i paying for [a line|{feature}|insurance] i never [added|asked for|signed "
        "up for] {at}",
        "{at} [my|this month's] bill has a {money} charge called ['other'|'misc'|'adjustment'] "
        "and nobody can explain it",
        "[paid|settled] my {brand} bill [on {weekday}|{days} days ago] and [it still shows as "
        "unpaid|got a reminder today|they're threatening to cut me off]",
    ),
    "more.complaint.billing": (
        "account ending {last4}",
        "ticket {ref}",
        "[i have|got] the bank statement [right here|to prove it]",
        "that's {money} i [needed|need] for [rent|groceries|bills] this week",
        "the chat agent [disconnected|hung up|closed the chat] [twice|on me]",
        "been a customer for {years} years",
        "[second|{nth}] time this [year|month]",
        "[my|the] online account shows [something else|a different amount|{money}]",
        "[nobody|no one] [can|could] tell me [why|what it's for]",
        "[my|the] contract says {money}. in writing",
    ),
    "complaint.customer_service": (
        "[thanks|thank you|cheers] for the {hours} hour [wait|hold|queue] 🙃 {at}",
        "{mins} minutes on hold with {brand} and then [it hung up on me|the call dropped|they "
        "transferred me to a dead line|i got cut off]",
        "the {brand} [chat bot|chatbot|virtual assistant] keeps sending me the same [faq "
        "link|help article|link]. i want a [human|real person] {at}",
        "{at} [3 agents, 3|4 agents, 4|5 agents, 5] different answers. [nobody knows what my "
        "plan includes|nobody knows anything|who do i believe]",
        "DM'd {at} {days} days ago, [still no reply|nothing|not a word|still waiting]",
        "transferred {n} times and [back to the start|ended up where i started|still no answer]. "
        "excellent service {brand}, truly 👏",
        "promised a callback by {time}. [still waiting|it's now way past that|nothing] {at}",
        "asked {at} a simple question and got a copy-paste answer. do you even read these",
        "{brand} support told me to restart my phone. i have restarted my phone [40|50|a "
        "hundred|{n}0] times",
        "{at} case {ref} closed without anyone contacting me[. why|. how is that resolved|???]",
        "so helpful of {brand} to close my ticket without fixing anything. thanks so much!",
        "{at} your phone menu has [9|11|12] options and none of them is 'talk to a person'",
        "[been|spent] {mins} minutes in the {brand} [chat|live chat] and [the agent|they] [just "
        "left|stopped replying|disconnected me]",
        "[every|each] agent at {brand} tells me something different about my {plan} plan",
        "{at} i've explained my problem [{n} times|to {n} different people|over and over] "
        "[today|this week|{spell}]",
        "the {brand} store sent me to the helpline and the helpline sent me back to the store",
        "{at} how is it [impossible|so hard] to [speak to|reach|get hold of] [a human|anyone|a "
        "real person] at {brand}",
        "hold music for {mins} minutes [and counting|straight|now]. {brand} [i'm begging "
        "you|please|come on]",
        "[called|rang] {brand} {n} times [{daypart}|this week], got {n} different "
        "[stories|answers|excuses]",
        "{at} the survey after my call asked if my issue was resolved. it was not. [nobody reads "
        "those|and now?]",
    ),
    "more.complaint.customer_service": (
        "case number {ref}",
        "[was|got] put on hold [twice|{n} times]",
        "the [agent|rep] said someone would call me back [by {time}|{daypart}|within 24 hours]",
        "[all|and all] i wanted was to [change my plan|cancel a line|ask about my bill|update my "
        "address]",
        "on my lunch break too",
        "[the|their] hold music is burned into my brain now",
        "been a customer [{years} years|since forever]",
        "i was polite the whole time",
    ),
    "complaint.product_quality": (
        "{at} the {phone} i got from you keeps [restarting|freezing|shutting off] every "
        "[hour|{mins} minutes|few minutes]",
        "new SIM from {brand} says ['invalid SIM'|'no SIM'|'SIM not provisioned'] in my {phone}",
        "eSIM activation failed {n} times, now i have no number at all {at}",
        "my {phone} from {brand} came with a [cracked screen protector|scratched screen|dead "
        "battery|missing charger]",
        "{at} voicemail hasn't worked in {days} days",
        "the refurbished {phone} {brand} sent me [overheats|gets hot|drains to 0%] just sitting "
        "on the desk",
        "{feature} still broken on my {phone} after the [carrier update|update|latest update] {at}",
        "port-in failed and now my old number is in limbo {at}",
        "{brand} replacement SIM is DOA. [third|second|{nth}] one. amazing quality control",
        "battery on my new {phone} from {brand} [dies by lunch|lasts {hours} hours|is already at "
        "80% health]",
        "the {brand} app [logs me out|crashes|freezes] every time i [open it|check my usage|try "
        "to pay]",
        "{feature} on my {phone} [works one day and not the next|has never worked|just doesn't "
        "work] {at}",
        "[bought|got] a {phone} from {brand} {days} days ago and the [speaker|mic|camera|screen] "
        "is already [crackling|broken|flickering]",
        "{at} the case you sold me with my {phone} [fell apart|cracked|snapped] in {days} days",
    ),
    "more.complaint.product_quality": (
        "tried [another|a new] SIM, same thing",
        "already [reset|factory reset] it [twice|{n} times]",
        "it's [{days} days|a week] old",
        "tech support [just|only] told me to [restart it|update it]",
        "[my|the] {relative}'s {phone} does the same",
        "paid {money} for it",
        "[it's|this is] [my second|the {nth}] replacement",
    ),
    "complaint.pricing": (
        "{at} just saw my {plan} went up {small} a month. i'm in a contract??",
        "another price hike from {brand}. that's [{n}|two|three] this year",
        "paying {price} for {plan} while my [friend|{relative}|coworker] pays half "
        "[elsewhere|with another carrier]. loyalty means nothing",
        "{brand} raised prices and cut the data. [bold move|cool|nice]",
        "an early termination fee of {price}? to leave a network that doesn't work? {at}",
        "the 'loyalty discount' ended and my bill [doubled|went up {small}|nearly doubled]. cool "
        "cool cool {at}",
        "how is {plan} {price} now. it was way cheaper last year {at}",
        "{brand} calling a price increase an 'upgrade' is genuinely funny",
        "new customers get {plan} for [half|way less than|{small} less than] what i pay. [make "
        "it make sense|ok|cool] {at}",
        "{price} for [international roaming|a day pass in {abroad}|an extra line]? "
        "[really|seriously] {brand}",
        "{at} your 'price lock' lasted [{n} months|less than a year|about a year]",
        "the [{feature}|hotspot] add-on [now costs|is now] {small} a month. it used to be "
        "[free|included]",
        "{brand} now charges {small} [to get a paper bill|for a SIM swap|to talk to a human in "
        "store]. [wow|amazing|classy]",
    ),
    "more.complaint.pricing": (
        "been with you [{years} years|since forever]",
        "[looking at|checking out] other carriers [now|tonight]",
        "my {relative} is [switching|leaving] too",
        "nobody told me",
        "[got|the] email about it [came|arrived] [2 days before|after the fact]",
        "{gb}GB [for that|for that price]? [come on|really]",
    ),
    "complaint.staff": (
        "[the guy at {store} rolled his eyes|the lady at {store} rolled her eyes] when i asked "
        "about my bill {at}",
        "rude staff at {store}. told me to ['just google it'|'read the website'|'come back "
        "another day']",
        "{at} your rep at {store} sold my {relative} a plan they don't need",
        "waited {mins} min at {store} and they locked the door on me at [5:55|8:50|8:55]",
        "staff at {store} laughed at my old phone. very professional {brand}",
        "manager at the {city} store refused to help with my trade-in {at}",
        "{brand} sales guy lied to my face about the contract length",
        "[the|a] {brand} rep [signed me up for|added] {feature} without asking {at}",
        "[nobody|no one] at {store} knew how to [set up an eSIM|transfer my contacts|port a "
        "number]. it's a phone shop",
        "staff at {store} [were on|spent] their phones the whole {mins} minutes i waited",
        "{at} the rep at {store} [promised|told me about] a {money} credit that [never "
        "existed|nobody can find]",
    ),
    "more.complaint.staff": (
        "there were [3|4|{n}] of them behind the counter",
        "i was the only customer there",
        "my {relative} was [so embarrassed|really upset]",
        "[this was|on] {weekday} around {time}",
        "[never going back|not going back there]",
    ),
    "complaint.delivery": (
        "{at} my {phone} order says delivered. it was not delivered",
        "replacement SIM still hasn't arrived after {days} days {at}",
        "ordered a {phone} from {brand} {days} days ago and tracking hasn't moved",
        "courier left my new phone on the doorstep in the rain. thanks {brand} 🙃",
        "{at} order {order} 'delayed' for the {nth} time",
        "you shipped my new SIM to my old address even though i updated it {at}",
        "{brand} sent me the wrong [color|model|storage size] {phone} and now the return takes "
        "[2 weeks|{days} days]",
        "{at} my {phone} preorder was supposed to ship [on {weekday}|last week|{days} days ago]. "
        "still 'processing'",
        "tracking for my {brand} order has said 'out for delivery' since {weekday}",
        "{brand} needs a signature for delivery and then [delivers|shows up] at {time} when i'm "
        "at work",
    ),
    "more.complaint.delivery": (
        "order {order}",
        "already [paid|charged] {money} for it",
        "the courier says it's [{brand}'s|your] problem",
        "tracking [just says 'label created'|link doesn't work]",
        "i took the day off for this",
    ),
    "incident.outage": (
        "no service at all in {city} [{tag}|rn|right now|since {time}]",
        "is {short} down[??|?| rn??| again??| for everyone??] {at}",
        "is {brand} down for [anyone else|everyone|anybody in {city}] or just me",
        "sos [signal only|only on my phone|only since {time}]. {at} [what's happening|what's "
        "going on|hello??]",
        "#{short}down [again|in {city}|for real|{daypart}]",
        "#{short}down again. can't even call my [kid's school|{relative}|work]",
        "{at} whole [office|building|floor] has no signal. {area} is dead",
        "no calls no texts no data[| since {time}| in {city}]. {brand} you had one job",
        "is there an outage? phone says no service since [1pm|lunch|{time}] {at}",
        "restarted {n} times, still no service. #{short}down",
        "{at} any [ETA|update|news] on the outage? i [work from my phone|have a shift at "
        "{time}|need to call my {relative}]",
        "the {brand} status page says 'all systems operational'[ lol. lmao even| while i have "
        "zero bars|. sure|. in what universe]",
        "my whole [family|house|office] is on {brand} and none of us can [call|text|get online]. "
        "great day for it",
        "had to beg a [coffee shop|pizza place|stranger] for wifi because {brand} is down",
        "{at} outage in {city}?? i need to call my [doctor|{relative}|landlord]",
        "no service since [lunch|{time}|1ish]. if it's a tower thing just tell us {at}",
        "emergency calls only on {brand} [in {city}|rn|since {time}]. this is actually dangerous",
        "{brand} down in {city} too? #{short}down",
        "just SOS in the corner of my screen[| since {time}| in {city}]. {at} [please|help|fix it]",
        "me refreshing {brand}'s status page every [2|5|{n}] minutes #{short}down",
        "[everyone|the whole office|half my street] on {brand} [in|around] {city} [has no "
        "service|is offline|has zero bars]",
        "[so|ok so] {brand} is [down|broken|dead] [in {city}|across {city}|everywhere]? "
        "[cool|great|perfect timing]",
        "{at} [is this|is it] a [network|tower] [issue|outage]? [my|our] {phone} [says|shows] no "
        "service",
        "[can't|cannot] [call|text|reach] [anyone|my {relative}|work] [because|since] {brand} "
        "[went down|is down]",
        "[apparently|so apparently] the whole {brand} network is down [in|around] {city}[| rn| "
        "lol]",
        "{brand} outage [day|afternoon] [vibes|mood]: [standing by the window|refreshing twitter "
        "on someone else's wifi|writing this from the library]",
        "[not a single|zero] bar [anywhere|all afternoon] [in|around] {area}. {at} [what "
        "happened|update please|what's the plan]",
        "[my|our] [store|office|clinic] [can't|couldn't] take card payments because {brand} is "
        "down {at}",
    ),
    "more.incident.outage": (
        "been like this since [about |around |]{time}",
        "[restarted|rebooted] {n} times already",
        "[whole|my whole] [street|building|office|family] [has the same|is out too]",
        "[can't|couldn't] even [call 911|text my {relative}|get an uber]",
        "{city} here",
        "status page [says nothing|is still green|is useless]",
        "[is there|any] ETA",
        "[work|my job] is [impossible|on hold] rn",
        "[tried|tried a] new SIM, nothing",
        "wifi [works|is fine], just no cell service",
        "{feature} [won't work either|is dead too]",
    ),
    "incident.customer_service": (
        "on hold for {mins} minutes to report the outage. {at} [pick up|answer the phone|please]",
        "{at} your chat bot says 'no known issues in your area'. [everyone here|my whole "
        "street|the whole office] has no signal",
        "[can't|cannot|couldn't] even call {brand} [support|customer service] to report the "
        "outage because... no signal",
        "{at} [how|why] is there [no update|nothing] [on the status page|from you] [yet|after "
        "{hours} hours]",
        "{brand} [chat|support] [queue|wait] is [{mins}|over {mins}] minutes [because of the "
        "outage|rn]. [cool|great]",
    ),
    "incident.billing": (
        "{at} are we getting a [credit|refund|discount] for [today's outage|this outage|the "
        "{hours} hours without service] or nah",
        "paying {price} a month for a network that's down all afternoon {at}",
        "{at} [i expect|we expect|i'd like] [a credit|a refund|money back] for [today|this "
        "outage|{hours} hours of nothing]",
    ),
    "praise": (
        "[this|the] new {short} [plan|{plan} plan|deal] is [sick|fire|insane|wild|unreal] 🔥",
        "shoutout to {at} for fixing my {feature} in like [5|10|{mins}] minutes",
        "switched to {brand} [last month|last {weekday}|{days} days ago|in the spring] and no "
        "problems at all so far",
        "{brand} 5G in {city} is actually [insane|unreal|ridiculous]. {fast} mbps",
        "never had a single dropped call since [moving|switching|i moved|i switched] to "
        "{brand}[| {years} years ago| last year| in the spring]",
        "the staff at {store} were super [helpful|patient|nice] setting up my {phone}",
        "{at} you guys are killing it with the [{plan}|{phone}|family plan|student] deal",
        "{brand} signal [on the subway|in {area}|in the elevator] is [unreal|insane|better than "
        "my home wifi]",
        "ported my number to {brand} in [10|15|{mins}] minutes. painless",
        "{at} thanks for sorting [my bill|my account|the {feature} thing|my {relative}'s line] "
        "out so [fast|quickly|quick]",
        "can't complain about {brand} [honestly|tbh|at all]. [cheap and it works|it just "
        "works|{price} a month and it works|does what it says]",
        "roaming with {brand} [on holiday|in {abroad}] [worked perfectly|was flawless|just "
        "worked], [zero|no] extra charges",
        "props to the {brand} [agent|rep|guy|lady] who stayed on the [line|phone|chat] until my "
        "[eSIM|{phone}|number transfer] worked",
        "damn, {brand} coverage [up at the lake|at my parents' cabin|in the middle of nowhere] "
        "is wild. [full bars|{fast} mbps|5G the whole way]",
        "lowkey {brand} has the best [app|customer service|coverage|deals] of any carrier[ i've "
        "had| in {city}| out there|]",
        "[{brand} customer service|{brand} support|the {brand} team] actually called me back "
        "[when they said they would|at {time} like promised|the same day]. [wow|who "
        "knew|impressed]",
        "{plan} from {brand} is [ridiculously|genuinely|stupidly] good value[ for {price}| for "
        "what you get|]",
        "{at} you guys just saved my [vacation|trip|weekend], {feature} works great",
        "got my {relative} onto {brand} and even they figured out the app",
        "{feature} on my {phone} with {brand} worked flawlessly {daypart}",
        "{brand} in {city} {daypart}: full bars everywhere. who are you",
        "the {brand} rep in {city} was so patient with my {relative}. thank you",
        "[been|now] {years} years with {brand} and [honestly no complaints|zero regrets|still "
        "happy]",
        "my {phone} on {brand} [5G|data] [just|literally] downloaded a [whole season|2 hour "
        "movie|{gb}GB game] in [minutes|seconds|no time]",
        "[finally|at last] a carrier that [answers DMs|doesn't hide fees|picks up the phone]. "
        "[thanks|thank you] {at}",
        "{at} [refund|credit] for the [double charge|wrong fee] [showed up|came through] [in a "
        "day|overnight|already]. [impressed|nice]",
        "[calls|video calls] from {area} [are|have been] crystal clear since [i switched "
        "to|moving to] {brand}",
        "[paying|now paying] {small} [less|less a month] since [switching to|moving to] {brand} "
        "{plan}",
        "the {brand} {plan} [deal|offer] [for|with] the {phone} is [honestly|actually] "
        "[great|unbeatable|so good]",
        "{brand} [store|staff] in {city} [moved|transferred] all my photos [for free|in {mins} "
        "minutes]. [legends|heroes]",
        "[wifi calling|{feature}] [with|on] {brand} [saved me|worked perfectly] [in|at] {area} "
        "{daypart}",
    ),
    "more.praise": (
        "been on {plan} for [a year|{n} months]",
        "and it's cheaper than [my old carrier|what i paid before]",
        "my {relative} switched too",
        "[the|my] old carrier could never",
        "[wish|should have] switched [sooner|years ago]",
        "the bill is exactly what they said[| it would be]",
        "[the agent|she|he] even [followed up|checked in] [after|the next day]",
    ),
    "question": (
        "{at} does {plan} include [hotspot|roaming|5G|international texts]?",
        "anyone know if {brand} supports eSIM on the {phone}?",
        "{at} how do i turn on [wifi calling|{feature}] on the {phone}?",
        "does {brand} have [decent|good|any] coverage in {city}? [moving there next "
        "month|thinking of moving there|visiting next week]",
        "{at} can i keep my [number|old number|{relative}'s number] if i switch to {plan}[| from "
        "another carrier]?",
        "is the [activation|setup|SIM] fee waived if i [sign up|order|switch|join] online? {at}",
        "how long does [a port-in|porting a number|a number transfer|eSIM activation] "
        "[usually|normally|] take with {brand}?",
        "{at} what are the roaming rates for {abroad}[| next month| this summer| over the "
        "holidays]?",
        "anyone on {brand} in {city}? how's the signal [downtown|at home|indoors|on the subway]",
        "{at} when will the {phone} be back in stock?",
        "can i pause my line while i'm [abroad|in {abroad}|away for {n} months] {at}?",
        "{at} is there a [student|military|senior] discount on {plan}?",
        "thinking of switching to {brand}, is it any good in {city}?",
        "{at} does {feature} work on the {phone}? my {relative} wants one",
        "anyone using {brand} {feature} [abroad|in {abroad}]? does it cost extra?",
        "{at} how do i add my {relative} to my {plan} account?",
        "{at} where do i find the PUK code for my {relative}'s line?",
        "does {brand} throttle data after [a certain amount|{gb}GB] on {plan}?",
        "{at} can i [upgrade|switch] to {plan} [mid-contract|without a fee|this month]?",
        "[how|where] do i [check|see|find] my data usage in the {brand} app[| on my {phone}]?",
        "{at} is {plan} worth it if i use [about {gb}GB|a lot of hotspot|mostly wifi]?",
        "{at} does the {phone} [deal|offer] [work|apply] for existing customers [too|or just new "
        "ones]?",
        "[does anyone|anyone] know if {brand} [works|has coverage] [in|on the way to] {abroad}?",
        "{at} [my|the] {phone} [won't|doesn't] [activate|show my number]. what am i doing wrong?",
        "{at} can i [get|order] a [new|replacement] SIM [in store|online] [today|same day]?",
        "{at} is [{store}|the {city} store] open on {weekday}s?",
    ),
    "more.question": (
        "[moving house|moving] next month",
        "asking for my {relative}",
        "[currently|i'm currently] on {plan}",
        "[the|your] website [doesn't say|is confusing]",
        "couldn't find it in the app",
        "i'm [in|going to] {abroad} [next week|in {days} days]",
        "[my|the] contract ends [soon|in {n} months]",
        "the chat [bot|assistant] didn't know",
    ),
    "neutral": (
        "{brand} [announces|confirms|unveils|completes] 5G [expansion|rollout|upgrade] "
        "[to|in|across] {city} {newslink}",
        "{brand} [Q3 results|quarterly results|earnings]: subscriber growth "
        "[slows|cools|stalls], [revenue per user up|revenue beats forecasts|profit up {n}%] "
        "{newslink}",
        "{brand} has {plan} for {price}/mo this week {link}",
        "switching my {relative} and me to {brand} next month, we'll see",
        "on the [train|bus] out of {city}, {brand} holding up ok so far",
        "my {relative} just got a first smartphone on {brand}. pray for me",
        "{brand} is hiring retail staff in {city} {link}",
        "the {brand} ad jingle has been stuck in my head {spell}",
        "[{brand} vs the big three|is {brand} really cheaper|{brand} or the big three]: [a price "
        "comparison|we compared the plans|we did the maths] {newslink}",
        "apparently {brand} is sponsoring the {city} [marathon|food festival|pride parade]",
        "new {brand} store opening in {city} next [week|month]",
        "finally ported my number to {brand} from {city}, let's see how it goes",
        "{brand} texted me about a plan change {daypart}, reading the fine print now",
        "{brand} [adds|launches|unveils] smartwatch plans [for {price}/mo|starting at "
        "{price}|for existing customers] {newslink}",
        "{brand} [to retire|will shut down|is switching off] its 3G network [next year|in {n} "
        "months|by spring] {newslink}",
        "walked past the {brand} store in {city} and they're giving out free [phone "
        "cases|stickers|tote bags]",
        "my {phone} on {brand} just updated, let's see what changed",
        "{brand} [partners with|teams up with] a streaming service [for a bundle|on a new "
        "bundle|for {plan} customers] {newslink}",
        "everyone at work in {city} is on {brand} now, weird",
        "got a {brand} [flyer|letter|postcard] in the mail about {plan}[| again| today]",
        "my {relative} keeps telling me to switch to {brand}",
        "{brand} billboard on the way into {city} is [huge|enormous|kinda ugly] lol",
        "trying the {brand} {plan} plan [for a month|for a few weeks|this month], will report back",
        "{brand} sent me a survey {daypart}. filled it in i guess",
        "watching the [game|match|playoffs|news] and a {brand} ad came on {n} times[| already| "
        "in one half]",
        "[my|our] {relative} [wants|is thinking] to [switch to|try] {brand}. [any thoughts|we'll "
        "see]",
        "[saw|spotted] a {brand} [van|truck|pop-up stand] [in|outside] {area} {daypart}",
        "[the|a] {brand} rep [at|outside] {store} [tried to sell me|asked me about] {plan}",
        "{brand} [changed|updated] their [app|logo|website] {daypart}[|?]",
        "{days} days into {plan} on {brand}. [so far so good|no opinion yet|it's fine]",
        "[reading|just read] the {brand} terms for {plan}. [long|a lot of words]",
        "[my|the] {brand} bill came [today|{daypart}], {price} [as usual|like always|as expected]",
    ),
    "more.neutral": (
        "we'll see how it goes",
        "not sure how i feel about that",
        "[my|our] {relative} is [thrilled|not impressed]",
        "first time [seeing|hearing about] that",
        "[will|might] [look into it|check it out] [later|this weekend]",
        "{city} [traffic|weather] [though|as usual]",
    ),
    "reply.complaint": (
        "Hi there, sorry to hear this! Please send us a DM with your account number and "
        "we'll take a look. ^{sig}",
        "We're sorry for the trouble. We've sent you a DM so we can sort this out. ^{sig}",
        "That's not the experience we want for you. Please DM us and we'll fix it asap. ^{sig}",
        "We hear you, and we're sorry. Check your DMs and we'll get this sorted. ^{sig}",
    ),
    "reply.outage": (
        "Sorry for the interruption! Could you DM us your zip code and device model so our "
        "network team can check? ^{sig}",
        "We're sorry about the signal trouble. Please try restarting your device; if that "
        "doesn't help, DM us your zip code. ^{sig}",
    ),
    "reply.billing": (
        "Sorry about the charge! DM us the last 4 digits of your card and we'll get that "
        "refund moving. ^{sig}",
        "We'd like to review your bill with you. Please send us a DM with your account "
        "number. ^{sig}",
    ),
    "reply.incident": (
        "We're aware of a network issue affecting service in parts of {city} and nearby. "
        "Engineers are on it; updates at {status}. Sorry for the disruption. ^{sig}",
        "Hi, we know about this outage and are working to restore service as fast as we "
        "can. Latest updates: {status} ^{sig}",
        "So sorry, there's a network issue in your area right now. We'll post updates at "
        "{status}. ^{sig}",
    ),
    "reply.question": (
        "Great question! You'll find the details here: {link}. DM us if you need more help. ^{sig}",
        "Hi! We'd be happy to help. Please send us a DM with a few more details. ^{sig}",
        "Hi there! Check out {link} for the details, or DM us and we'll walk you through "
        "it. ^{sig}",
    ),
    "reply.praise": (
        "Thanks so much for the kind words! ❤️ ^{sig}",
        "This made our day 🙌 Thanks for being with us! ^{sig}",
        "Love to hear it! Enjoy! ^{sig}",
    ),
}

TELECOM_ES: Final[Texts] = {
    "complaint.outage": (
        "{at} sin [señal|servicio|datos] en {city} desde [esta mañana|anoche|las {time}]",
        "¿{brand} está caído [otra vez|de nuevo|hoy]? no me carga nada",
        "llevo [todo el día|{hours} horas|toda la tarde] sin datos, qué servicio tan malo {at}",
        "otra vez sin cobertura en [casa|el trabajo|{city}]. pago {price} al mes para esto {at}",
        "se me [cortan|caen] las llamadas [cada {n} minutos|todo el tiempo] con {brand}",
        "{at} el internet [va lentísimo|no funciona|no carga] [en {city}|desde {time}]",
    ),
    "more.complaint.outage": (
        "ya reinicié el teléfono {n} veces",
        "mi {familiar} tiene el mismo problema",
        "[ayer|la semana pasada] funcionaba bien",
        "con wifi sí funciona",
    ),
    "so.complaint": (
        "no pude [llamar a mi {familiar}|pagar el parqueo|pedir un uber]",
        "perdí una llamada [del trabajo|importante|del médico]",
        "[llegué|voy a llegar] tarde al trabajo",
    ),
    "complaint.billing": (
        "{at} me cobraron dos veces este mes. ¿dónde está mi reembolso?",
        "¿por qué mi factura es de {money}? [nunca pagué tanto|no entiendo nada|nadie me "
        "explica] {at}",
        "qué bien, otro cobro doble. gracias {brand} 🙃",
        "{at} me [cobraron|pusieron] un cargo de {money} que [nunca autoricé|nadie me explica]",
        "[cancelé|di de baja] mi línea hace {days} días y me siguen cobrando {at}",
    ),
    "more.complaint.billing": (
        "ticket {ref}",
        "cuenta terminada en {last4}",
        "tengo el estado de cuenta",
    ),
    "complaint.customer_service": (
        "{mins} minutos en espera con {brand} y me [colgaron|cortaron]",
        "el chatbot de {brand} no sirve para nada, quiero hablar con una persona",
        "gracias por la espera de {hours} horas {at} 🙃",
        "{at} me [pasaron|transfirieron] {n} veces y nadie sabe nada",
        "les escribí por DM hace {days} días y [nada|ni una respuesta] {at}",
    ),
    "complaint.pricing": (
        "{brand} subió el precio de {plan} otra vez",
        "{at} ¿otra subida de precio? estoy en contrato",
        "{price} al mes por {plan}? [en serio|no puede ser] {brand}",
    ),
    "complaint.product_quality": (
        "mi SIM nueva de {brand} dice 'SIM no válida' {at}",
        "el {phone} que me vendieron se [reinicia|apaga] solo cada [hora|{mins} minutos] {at}",
        "{at} la eSIM no se activa, ya lo intenté {n} veces",
    ),
    "complaint.staff": (
        "el empleado de la tienda de {brand} fue muy grosero conmigo {at}",
        "en la tienda de {brand} [en {city}|del centro] me hicieron esperar {mins} minutos para "
        "nada",
    ),
    "complaint.delivery": (
        "{at} mi {phone} dice entregado pero nunca llegó",
        "{at} mi SIM [nueva|de reemplazo] no llega, ya van {days} días",
    ),
    "incident.outage": (
        "¿{short} está caído? no tengo servicio {tag}",
        "sin servicio en {city}, solo llamadas de emergencia #{short}down",
        "{at} ¿hay una caída de red? no puedo llamar a [nadie|mi {familiar}]",
        "se cayó {brand} otra vez 😡 #{short}down",
        "{brand} [sin servicio|caído] en {city} desde [las {time}|el mediodía|hace {hours} horas]",
        "[nadie|ninguno] en [mi casa|la oficina|mi familia] tiene señal con {brand} {at}",
        "{at} ¿cuándo vuelve el servicio? [trabajo con el teléfono|necesito llamar a mi "
        "{familiar}]",
    ),
    "more.incident.outage": (
        "ya reinicié {n} veces",
        "toda la [calle|oficina] igual",
        "desde las {time}",
    ),
    "praise": (
        "cambié a {brand} y cero problemas 👍🏽",
        "la señal de {brand} en {city} está [increíble|buenísima] 🔥",
        "gracias {at} por resolver lo de mi factura tan rápido ❤️",
        "el nuevo plan {plan} está brutal",
        "[llevo|ya llevo] {years} años con {brand} y [cero quejas|todo perfecto]",
        "el [roaming|internet] de {brand} en [México|Colombia|España] funcionó [perfecto|sin "
        "problemas]",
        "la chica de la tienda de {brand} en {city} [me ayudó muchísimo|fue súper amable] con mi "
        "{phone}",
    ),
    "more.praise": ("y más barato que antes", "mi {familiar} también se cambió", "lo recomiendo"),
    "question": (
        "{at} ¿el plan {plan} incluye roaming en [México|Colombia|Canadá|España]?",
        "¿alguien sabe si {brand} tiene buena cobertura en {city}?",
        "{at} ¿cómo activo la eSIM en mi {phone}?",
        "{at} ¿puedo [cambiarme|pasarme] a {plan} sin [multa|cargo]?",
        "{at} ¿hay descuento para [estudiantes|familias] en {plan}?",
        "¿la tienda de {brand} en {city} abre los domingos? {at}",
    ),
    "more.question": (
        "es para mi {familiar}",
        "me mudo el mes que viene",
        "no lo encuentro en la app",
    ),
    "neutral": (
        "{brand} anuncia la expansión de 5G en {city} {newslink}",
        "me cambio a {brand} el mes que viene, a ver qué tal en {city}",
        "{brand} tiene {plan} por {price} al mes esta semana {link}",
        "mi {familiar} [quiere|va a] cambiarse a {brand}",
        "vi [un anuncio|una tienda nueva] de {brand} en {city}",
        "llegó la factura de {brand}, {price} [como siempre|lo de siempre]",
    ),
    "reply.complaint": (
        "¡Hola! Lamentamos lo ocurrido. Envíanos un DM con tu número de cuenta y lo "
        "revisamos. ^{sig}",
        "Sentimos las molestias. Te escribimos por DM para ayudarte. ^{sig}",
    ),
    "reply.incident": (
        "Estamos al tanto de una falla de red en partes de {city}. Nuestro equipo ya está "
        "trabajando; novedades en {status}. ^{sig}",
    ),
    "reply.question": ("¡Hola! Puedes ver los detalles en {link} o escríbenos por DM. ^{sig}",),
    "reply.praise": ("¡Gracias por tus palabras! ❤️ ^{sig}",),
}

#: What a late, missing or spoilt grocery order costs people.
GROCERY_MEAL_TROUBLE: Final[tuple[str, ...]] = (
    "now the kids are having [cereal|toast|beans on toast] for {meal}",
    "had to [nip|run|go] to the corner shop [anyway|at {time}]",
    "{meal} [is|was] ruined",
    "i took the [morning|afternoon] off for this",
    "[had|now i have] to rethink [the whole week|my plans|the meal plan]",
    "[there goes|that was] {meal}",
    "[my|the] {relative} [was|is] [not impressed|fuming|starving]",
    "[ended up|now i'm] [ordering a takeaway|getting a takeaway] [instead|again]",
    "wasted [my whole|the whole] [evening|afternoon|morning] waiting",
    "[and|plus] i'm [paying|on] a delivery pass for this",
)

GROCERY_EN: Final[Texts] = {
    "complaint.delivery": (
        "{at} order {order} was due {window}. it's now {time}. [nothing|still nothing|no sign of "
        "it]",
        "driver marked my order as delivered. it was not delivered. {at}",
        "half my order missing again {at}. no {item}, no {item}",
        "1 hour delivery window and they still came [late|{mins} mins late|an hour late]. "
        "[brilliant|great|fab] {brand} 🙃",
        "{at} my delivery was cancelled {mins} minutes before the slot. [no explanation|no "
        "reason given|not even a text]",
        "waited in all [evening|afternoon|morning] for {brand}. slot was {window}. no show",
        "thanks {at} for delivering my shopping to a completely different [street|house|postcode]",
        "order {order} has been 'on its way' for {hours} hours now",
        "{brand} left my frozen stuff on the doorstep [in the sun|in the rain|for {hours} hours]",
        "missing {item} AND {item}. that was literally {meal} {at}",
        "{brand} delivery {hours} hours late on a [sunday evening|saturday|{weekday}]. again.",
        "cool, my {window} slot became a 'sometime tonight' slot. love that {brand}",
        "{at} the app says my driver is [{n} stops away|5 mins away|nearby] and has said that "
        "for [an hour|{mins} minutes|ages]",
        "[my|the] {brand} order [turned up|arrived] at [6:15am|5:50am|11:40pm|midnight] instead "
        "of {window}. [who does that|asleep, obviously]",
        "{brand} delivered [someone else's|my neighbour's] shopping to me and mine is [who knows "
        "where|gone] {at}",
        "[ordered|paid for] {n_items} bags, got [one|half of them|barely half]. {at} where's the "
        "rest",
        "{at} [3rd|second|{nth}] late delivery this [month|fortnight]. a one hour slot means one "
        "hour",
        "driver [rang once and left|didn't even knock|left without ringing] and now my slot is "
        "gone {at}",
    ),
    "more.complaint.delivery": (
        "order {order}",
        "slot was {window}",
        "paid {small} for [that|the] slot",
        "[stayed in|worked from home] specially",
        "no text, no call, nothing",
        "tracking [still says|says] 'on its way'",
        "chat [says|said] 'the driver is running late'",
        "[it had|there was] {item} [in it|in there] that needed the fridge",
        "[and|plus] it's the {nth} time",
    ),
    "so.complaint": (
        "wasted [my lunch break|the afternoon|my evening] on this",
        "[thinking of|about to] [switching|going back to the supermarket|cancelling my delivery "
        "pass]",
        "[i'm|honestly i'm] [so done|done|over it]",
        "[shopped|been shopping] with you [for years|since 2019]. for what",
        "this is [stressing me out|the last thing i needed]",
    ),
    "so.complaint.delivery": GROCERY_MEAL_TROUBLE,
    "so.complaint.product_quality": GROCERY_MEAL_TROUBLE,
    "complaint.product_quality": (
        "{at} [found|there was] mould on the {item} in today's order. best before is next week",
        "ordered {item}, got {item} as a substitute. how is that a substitute",
        "substituted {item} with {item}. [genuinely baffled|what] {brand}",
        "eggs smashed, {item} squashed, bag split. great work {at}",
        "who picks the fruit at {brand}? [bananas already black|avocados like rocks|strawberries "
        "already mush]",
        "{at} the chicken smelled off the moment i opened it",
        "love getting {item} with a best before of tomorrow from {brand} 👌",
        "every substitution this week was worse than the last {at}",
        "my {item} arrived [crushed|squashed|leaking]. again {at}",
        "{brand} sent me {n} packs of {item} instead of one. i'm one person",
        "{at} [the|my] {item} went off [in a day|the day after delivery|before the date]",
        "[half|most] of the {item} [in my order|from {brand}] [went straight in the bin|ended up "
        "in the bin|had to be binned]",
        "{brand} [swapped|replaced] my {item} for [a smaller pack|the own-brand one|something "
        "else entirely] [and charged the same|with no warning]",
        "the {item} [from|in] my {brand} shop [tasted funny|had a hair in it|came already "
        "opened] {at}",
        "[bag|carrier] split [on the stairs|at the door] because {brand} [packed|put] {item} "
        "[with|on top of] the eggs",
    ),
    "more.complaint.product_quality": (
        "[date|best before] says {weekday}",
        "order {order}",
        "[got|have] photos",
        "[it's|this is] the {nth} time [this month|with {brand}]",
        "paid {small} for [it|them|that]",
        "the rest of the [order|bag] was fine",
    ),
    "complaint.billing": (
        "{at} still waiting on a refund for the missing {item}, {days} days now",
        "charged {money} for items that never arrived {at}",
        "refund 'processed' {days} days ago. bank says nope {at}",
        "got charged twice for order {order}. [fantastic|brilliant|cheers] {brand}",
        "{at} you refunded {small} on a {money} order?? [maths|what maths is that|how]",
        "a refund as {brand} credit instead of to my card? no thanks {at}",
        "[great|cool|lovely], charged twice again. [love that for me|perfect timing] {at}",
        "{brand} [took|charged] {money} for [a substitute|the {item}] i [rejected|sent back at "
        "the door] {at}",
        "[delivery pass|membership] [renewed|took {money}] [after i cancelled|without asking] {at}",
        "{at} promo code [for {small} off|for free delivery] [accepted|applied] at checkout and "
        "then [charged in full anyway|gone on the receipt]",
        "receipt says {money}, bank says {money}. {brand} [which is it|explain]",
    ),
    "more.complaint.billing": (
        "card ending {last4}",
        "order {order}",
        "[reference|ref] {ref}",
        "[chat|the chat] said [3-5 working days|it's been processed|it's with the bank]",
        "i've [got|kept] the receipt",
        "that's {money} i [need|needed] this week",
    ),
    "complaint.customer_service": (
        "{mins} mins in the {brand} chat queue. still position {n}",
        "the {brand} chatbot offered me a recipe when i asked where my order is",
        "{at} 'we'll get back to you within 24h'. it's been {days} days",
        "emailed {brand} about a missing order, got an automated survey back. lol",
        "thanks for the {hours} hour wait {at} 🙃",
        "{at} your help page just loops back to itself",
        "really appreciate {brand} closing my complaint without reading it. top work",
        "{at} [rang|called] [the helpline|customer service] {n} times, [cut off|disconnected] "
        "every time",
        "[asked|told] {brand} about the missing {item} and [got|they sent] a voucher for "
        "{small}. [for a {money} order|cheers i guess]",
        "[the|your] chat agent [asked me to|made me] [send photos|upload a photo] of [food that "
        "never arrived|a missing item]. {at} [how does that work|seriously|what]",
        "{at} [been passed|passed] between chat and email [{n} times|all week] about order {order}",
    ),
    "more.complaint.customer_service": (
        "ref {ref}",
        "[still|and still] no [refund|reply|answer]",
        "[i|and i] was [polite|nice] about it",
        "[it's|this is] the {nth} [message|email] i've sent",
        "[shopped|been shopping] with you [{years} years|since 2019|for ages]",
    ),
    "complaint.staff": (
        "{brand} driver threw my bags on the doorstep and drove off",
        "{at} driver was so rude when i asked him to bring the bags up",
        "your driver blocked my driveway for [20|{mins}] mins and swore at my neighbour {at}",
        "{brand} driver refused to come up to the [3rd|2nd|4th] floor. i'm on crutches",
        "driver today was shouting on the phone the whole time and dropped the eggs {at}",
        "{at} [the|your] driver [left|threw] the [bags|crates] in the [rain|road|bins] [and "
        "drove off|without knocking]",
        "[the|a] {brand} driver [parked on|drove over] my [lawn|front garden|flowerbed] {daypart}",
        "{brand} driver [rolled his eyes|sighed loudly] when i [checked|asked about] the "
        "substitutions",
    ),
    "more.complaint.staff": (
        "[van|driver] was there around {time}",
        "[my|our] {relative} saw the whole thing",
        "[never|not] had this before with {brand}",
        "[got|have] it on the doorbell camera",
    ),
    "complaint.outage": (
        "{brand} app crashed at checkout for the {nth} time. basket gone",
        "{at} can't log in to the app, it says {app_error}",
        "app froze at payment and now i don't know if my order went through {at}",
        "the {brand} website has been down all [morning|afternoon|evening] and my slot expires "
        "at {time}",
        "{at} promo code not applying and the app keeps crashing. [excellent|great|brilliant]",
        "{brand} app update deleted all my favourites {at}",
        "[spent|wasted] {mins} minutes building a basket and the {brand} app [logged me "
        "out|wiped it|crashed]",
        "{at} the app keeps saying {app_error} when i try to [edit my order|add {item}|book a "
        "slot]",
        "{brand} site [won't load|is dead|shows {app_error}] [{spell}|on my phone and laptop]",
    ),
    "more.complaint.outage": (
        "tried [the website|the app|both], same",
        "[deleted and reinstalled|reinstalled it] [already|twice]",
        "cut-off is at {time}",
        "basket was {money}",
        "[since|from] about {time}",
    ),
    "complaint.pricing": (
        "{brand} delivery fee went up to {small}?? for a {window} slot",
        "{at} minimum order is now {price}. [seriously|really|come on]",
        "{brand} charges {small} for {item} and it's half that in the shop. why",
        "the new 'service charge' on {brand} is a bit much {at}",
        "delivery pass price went up again {at}. bye",
        "{brand} quietly shrank the {item} and kept the price. noticed",
        "{small} for {item}?? {brand} [are you ok|who's buying that]",
        "[my|the] weekly {brand} shop [is up|has gone up] {small} [in a month|since summer]",
        "{brand} 'offers' [cost more than|are the same as] the normal price [lol|ffs|every time]",
    ),
    "more.complaint.pricing": (
        "[same|identical] basket was {money} [last month|in summer]",
        "[time to|might] [switch|try somewhere else]",
        "[been|shopping] with you [{years} years|since 2019]",
    ),
    "praise": (
        "[{brand} driver|the {brand} driver|our {brand} driver] today was an absolute "
        "[star|legend|gem], carried everything up {n} flights",
        "no problems at all with my {brand} [delivery|order|shop] [today|this "
        "week|{daypart}|again] 👍🏽",
        "{at} your {item} this week: unreal, best i've had",
        "honestly {brand} saved my [week|day|weekend|evening]. delivery in [{hours} hours|under "
        "{hours} hours|{mins} minutes]",
        "shoutout to {at} for refunding the missing {item} without any fuss",
        "{brand} [strawberries|raspberries|blueberries|cherries] are [sick|unreal|insane] this "
        "season 🍓",
        "every [order|delivery|shop] from {brand} has been spot on [lately|for months|since "
        "{weekday}|this year]",
        "got free {item} with my {brand} order {daypart}, love that",
        "the {brand} app is [so much|miles|way] better since the [update|redesign|last "
        "update][|, finally]",
        "{brand} [substitutions|subs] [were|this week were] actually better than what i "
        "ordered[| lol| tbh]",
        "can't fault {brand}, on time every single [week|time|order][| for {n} months now]",
        "{brand} driver helped my {relative} with [their|the] bags. proper gent",
        "damn, the {item} from {brand} hit different",
        "not one thing missing or [damaged|squashed|swapped] [this week|today|in {n_items} "
        "bags]. well done {at}",
        "{brand} delivered in the {window} slot bang on time [today|again|this week|as always]",
        "{item} from {brand} {daypart}: perfect",
        "my {relative} loves the {brand} driver. knows him by name now",
        "{brand} refunded the {item} in {mins} minutes. that's how you do it",
        "[first|my first] {brand} order [arrived|came] [early|{mins} mins early|bang on time] "
        "and [everything was there|nothing was missing]",
        "{brand} [driver|delivery guy] [waited|hung on] while i [found my keys|got the baby "
        "down|got off a call]. [legend|so kind|absolute gem]",
        "{at} [thanks|thank you] for [the|a] [same-day|last-minute|{window}] slot, "
        "[saved|rescued] {meal}",
        "[best|the best] {item} i've [had|bought] in [ages|years|a long time], from {brand} of "
        "all places",
        "the [eco|paper] bags from {brand} [are|are actually] [great|so handy|really sturdy]",
        "{brand} [chat|support] [sorted|refunded] my [missing|squashed] {item} in [{mins} "
        "minutes|no time]. [impressed|nice one]",
        "[weekly|the weekly] {brand} shop [is|has been] [a lifesaver|so easy|painless] [since "
        "the baby|with my hours|lately]",
    ),
    "more.praise": (
        "[been|shopping] with {brand} [{years} years|since lockdown]",
        "[driver|he] even [smiled|said hi to the dog]",
        "{item} [spot on|perfect] too",
        "no substitutions [at all|this week]",
        "basket was {money} [too|and worth it]",
        "{meal} sorted",
        "[my|our] {relative} [agrees|was impressed]",
    ),
    "question": (
        "{at} do you deliver to {city}?",
        "can i [change|move|swap] my [slot|delivery slot] after [ordering|checkout|i've paid]? "
        "{at}",
        "does {brand} do [same-day|next-day|early morning] delivery on [sundays|bank "
        "holidays|{weekday}s]?",
        "{at} how do i add {item} to an order i've already placed?",
        "is the {brand} delivery pass worth it[ for {n} orders a month| for one person| for a "
        "family of {n}|]?",
        "{at} what time is the cut-off for tomorrow's {window} slot?",
        "does anyone know if {brand} sells [gluten free|organic|vegan] "
        "[bread|pasta|biscuits|sausages|cheese]?",
        "{at} can i leave a note for the driver about my {item}?",
        "is it just me or has {brand} stopped selling {item}?",
        "{at} do you take back the bags in {city}?",
        "{at} is there a {window} slot left for {city} [tomorrow|on {weekday}]?",
        "does {brand} do organic {item}?",
        "{at} can my {relative} [pick up|take in] my order instead?",
        "{at} why can't i book a slot for {city} this week?",
        "anyone tried the {brand} own-brand {item}? any good or should i shop elsewhere?",
        "{at} [how|where] do i [report|flag] a missing {item}?",
        "{at} [can i|is it possible to] [pay|split the payment] with [two cards|a voucher]?",
        "{at} [do|can] your drivers [carry bags up to|bring the shopping up to] the {nth} floor?",
        "[anyone|does anyone] [use|have] the {brand} [delivery pass|app] in {city}? [worth "
        "it|any good]?",
        "{at} [what|which] [slots|days] do you [have|deliver] in {city} [next week|at the "
        "weekend]?",
    ),
    "more.question": (
        "[new to the area|just moved here|first time ordering]",
        "[asking|it's] for my {relative}",
        "[order|my order is] {order}",
        "[couldn't|can't] find it in the app",
        "[the|your] FAQ [doesn't say|isn't clear]",
        "[first|my first] order",
        "need it for {meal}",
    ),
    "neutral": (
        "{brand} [opens|to open|unveils] new [fulfilment centre|warehouse|depot] [near|in] "
        "{city} {newslink}",
        "{brand} to [trial|test|roll out] electric vans in {city} {newslink}",
        "{brand} has {item} half price this week {link}",
        "doing the weekly {brand} shop at {time} again",
        "first time trying {brand} in {city}, fingers crossed",
        "{brand} advert with the dancing carrots has been stuck in my head {spell}",
        "[{brand} vs the supermarket|is {brand} really cheaper|{brand} or the big four]: [a "
        "price comparison|we compared baskets|we did the maths] {newslink}",
        "just put in my {brand} order for the week, {money} with {item}",
        "{brand} is hiring drivers in {city} {link}",
        "the {brand} van is on our street in {city} every {weekday} like clockwork",
        "{brand} [named|ranked] [most downloaded|top] grocery app [this month|in the UK|of the "
        "year] {newslink}",
        "my {relative} has discovered {brand} and orders {item} every day now",
        "{brand} [announces|to introduce|pledges] plastic-free packaging for [fruit and veg|all "
        "fresh produce|its own-brand range] {newslink}",
        "meal planning for the week, {brand} basket is already at {money}",
        "{brand} van just parked outside [|our place |the flat ]in {city}",
        "my {relative} swears by {brand} for the weekly shop",
        "adding {item} to the {brand} basket [now|for tomorrow|for the weekend]",
        "{brand} has a new own-brand {item}, interesting",
        "{brand} sent me a {small} off voucher {daypart}",
        "[switching|trying a switch] from the big supermarket to {brand} [this week|this "
        "month][| in {city}]",
        "{brand} [slot|order] [booked|in] for {weekday}, {item} [and|plus] {item} on the list",
        "[saw|spotted] [two|three|{n}] {brand} vans on [one|the same] street in {city} {daypart}",
        "[the|a] {brand} [ad|advert] [came on|played] [before|during] [the film|the match|my "
        "podcast] {daypart}. [again|for the {nth} time|it's everywhere]",
        "[my|our] {relative} [asked|wants to know] if {brand} [delivers|does] {item}",
        "{brand} [basket|order] {daypart}: {item}, {item} and {item}",
    ),
    "more.neutral": (
        "we'll see how it goes",
        "[my|our] {relative} [approves|isn't convinced]",
        "[might|will] [try it|give it a go] [next week|at some point]",
        "{city} [weather|traffic] [though|as usual]",
    ),
    "reply.complaint": (
        "So sorry to hear this! Please DM us your order number and we'll sort it out. ^{sig}",
        "That's not what we expect either, sorry. Pop us a DM and we'll put it right. ^{sig}",
        "Sorry about this! We've sent you a DM to get it fixed. ^{sig}",
    ),
    "reply.delivery": (
        "Sorry your order didn't arrive as expected! DM us your order number and we'll look "
        "into it straight away. ^{sig}",
        "Really sorry about the delay. Please DM us your order number so we can check with "
        "the depot. ^{sig}",
    ),
    "reply.product_quality": (
        "That's not good enough, sorry! DM us your order number and we'll refund the "
        "affected items. ^{sig}",
    ),
    "reply.question": (
        "Hi! You'll find all the details here: {link}. Any other questions, just DM us. ^{sig}",
        "Hi there! Send us a DM and we'll help you with that. ^{sig}",
    ),
    "reply.praise": (
        "Thank you, that's lovely to hear! 💚 ^{sig}",
        "We'll pass this on to the team, thanks so much! ^{sig}",
    ),
}

GROCERY_ES: Final[Texts] = {
    "complaint.delivery": (
        "{at} mi pedido {order} no llegó",
        "¿dónde está mi pedido? {at}",
        "{at} el pedido llegó [tarde|{hours} horas tarde] y [sin|faltaba] la mitad",
    ),
    "complaint.product_quality": ("me mandaron {item} en mal estado {at}",),
    "praise": ("el pedido de {brand} llegó perfecto [hoy|esta mañana] 👍🏽",),
    "question": ("{at} ¿hacen entregas en {city}?",),
    "neutral": ("haciendo la compra semanal en {brand}",),
    "reply.complaint": ("¡Lo sentimos! Envíanos un DM con tu número de pedido. ^{sig}",),
}

#: Per profile and language, the template texts; a key missing in a language uses English.
PROFILE_TEXTS: Final[dict[str, dict[str, Texts]]] = {
    "telecom": {"en": TELECOM_EN, "es": TELECOM_ES},
    "grocery": {"en": GROCERY_EN, "es": GROCERY_ES},
}
