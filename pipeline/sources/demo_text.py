"""Phrase data for the demo source: post templates, slot fills, names and emoji.

Pure data, no logic: :mod:`pipeline.sources.demo` compiles it once at import. Templates
use ``{slot}`` placeholders (``str.format`` syntax, no format specs). Slots come from five
places, all resolved by the demo source:

- brand slots, from the brand's config: ``{brand}`` (a spelling of its name), ``{short}``
  (its first word, lower case), ``{at}`` (one of its @accounts), ``{tag}`` (a hashtag),
  ``{status}`` (a status-page link), ``{sig}`` (a care agent's initials);
- locale slots, from the brand's time zone: ``{city}``, ``{money}``;
- generated slots: ``{order}``, ``{ref}``, ``{link}``, ``{newslink}``, ``{spamlink}``;
- :data:`COMMON_SLOTS`, shared by every profile;
- :data:`PROFILE_SLOTS`, per profile.

Template keys: ``complaint.<category>``, ``incident.<category>`` (complaints about a
running incident), ``praise``, ``question``, ``neutral``, ``spam``, ``reply.<category>`` /
``reply.complaint`` / ``reply.incident`` / ``reply.question`` / ``reply.praise`` (the brand's
answers) and ``followup.resolved`` / ``followup.unresolved`` (the customer answering back).
A key missing in Spanish falls back to English.

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
    "hours": ("2", "3", "3", "4", "5", "6"),
    "mins": ("15", "20", "25", "30", "40", "45", "50", "90"),
    "days": ("2", "3", "4", "5", "6", "8", "10", "12", "14"),
    "n": ("2", "3", "3", "4", "5"),
    "nth": ("3rd", "3rd", "4th", "5th", "6th"),
    "time": ("8am", "9:30am", "noon", "1pm", "3:15pm", "5pm", "6:40pm", "7pm", "8:30pm", "10pm"),
    "sig": ("JM", "AK", "RT", "SL", "DP", "NB", "CW", "EO", "MV", "TH"),
    "relative": ("dad", "mom", "nan", "grandpa", "aunt", "little brother", "flatmate", "boss"),
    "weekday": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday"),
    "abroad": ("Mexico", "Canada", "Spain", "the UK", "Japan", "Italy", "the Dominican Republic"),
    "daypart": (
        "today",
        "this morning",
        "tonight",
        "all week",
        "since yesterday",
        "again today",
        "this afternoon",
        "all weekend",
    ),
}

#: Interjections put in front of a post now and then, by intent (English only).
OPENERS: Final[dict[str, tuple[str, ...]]] = {
    "complaint": (
        "ugh.", "seriously?", "not again.", "honestly", "ok so", "PSA:", "rant:", "wow.",
        "yet again", "update:", "day 2 of this.", "I'm so tired.", "unreal.", "ffs",
    ),
    "praise": (
        "ok", "honestly", "ngl", "not gonna lie,", "wow", "shoutout time:", "update:",
        "ok i'll admit it,", "credit where it's due:", "small win:",
    ),
    "question": (
        "quick question:", "help!", "hey,", "hi!", "random question but", "ok so",
        "genuine question:", "sorry if this is dumb but",
    ),
    "neutral": ("so", "ok", "lol", "fun fact:", "random but", "update:", "huh,", "news:"),
}  # fmt: skip

#: Tails added now and then, by intent (English only).
CLOSERS: Final[dict[str, tuple[str, ...]]] = {
    "complaint": (
        "smh", "ugh", "unreal", "fix it", "sort it out", "so annoying", "every. single. time.",
        "!!", "...", "i'm done", "anyone else?", "fr", "come on", "absolute joke", "not ok",
        "i give up", "this is the last straw", "why is this so hard",
    ),
    "praise": (
        "!!", "10/10", "lol", "genuinely", "fr", "well done", "no notes", "love it", "!",
        "would recommend", "didn't expect that",
    ),
    "question": ("anyone?", "thanks!", "pls", "??", "thx", "asking for a friend", "help"),
    "neutral": ("lol", "fr", "we'll see", "interesting", "hmm", "!", "anyway", "ok then"),
}  # fmt: skip

COMMON_TEXTS: Final[dict[str, Texts]] = {
    "en": {
        "spam": (
            "🎁 GIVEAWAY 🎁 win {prize}! follow + RT + tag 3 friends {spamlink}",
            "🚀 $MOON is about to 100x, get in before it's too late 👉 {spamlink} {tag}",
            "follow for follow 🔁 i follow back 100% ✅ {tag}",
            "F4F? drop a 🔥 and i follow back instantly {tag} #follow4follow",
            "make {money} a day from home, DM me 'INFO' {spamlink}",
            "the first 100 people get {prize} FREE!!! claim here 👉 {spamlink}",
            "crypto signals 📈 92% win rate. join my telegram {spamlink} {tag}",
            "{brand} customers: claim your {money} loyalty reward before midnight {spamlink}",
            "🔥 cheap followers 🔥 1k for {money}, instant delivery {spamlink}",
            "I made $4,500 last week with this app, no joke {spamlink} {tag}",
            "🎉 {tag} winners announced!! check if you won {prize} {spamlink}",
            "need a side hustle? 💸 my mentor changed my life {spamlink}",
            "🚨 AIRDROP LIVE 🚨 connect wallet and claim {spamlink} {tag}",
        ),
        "followup.resolved": (
            "sorted now, thanks 🙏",
            "that worked, cheers!",
            "all good now, appreciate the quick reply",
            "thanks, the refund came through",
            "ok that fixed it. thank you!",
            "great, thanks for sorting it",
            "working again, thanks for the help ❤️",
        ),
        "followup.unresolved": (
            "DM'd you {hours} hours ago. nothing",
            "still not fixed",
            "you said that last week too",
            "sent the DM, got a form reply. still broken",
            "ok but when",
            "i already did all that. twice.",
            "this is the {nth} time i've sent my details",
            "no reply to my DM yet. shocking",
            "another canned answer. brilliant",
        ),
    },
    "es": {
        "followup.resolved": (
            "ya quedó, gracias 🙏",
            "listo, ya funciona. ¡gracias!",
            "todo bien ahora, gracias por la ayuda",
        ),
        "followup.unresolved": (
            "sigo sin solución",
            "ya les escribí por DM hace {hours} horas y nada",
            "otra respuesta automática. genial",
        ),
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
            "iPhone 13 mini", "Pixel 8a", "OnePlus 12",
        ),
        "feature": (
            "eSIM", "wifi calling", "5G", "hotspot", "visual voicemail", "roaming",
            "number porting",
        ),
        "area": (
            "downtown", "my apartment", "the office", "the subway", "the airport", "campus",
            "the stadium", "my building", "the east side", "my parents' place", "the mall",
        ),
        "store": (
            "the Main St store", "the mall store", "your downtown store", "the airport kiosk",
            "the store on 5th",
        ),
        "prize": (
            "an iPhone 16 Pro", "a PS5", "a $500 gift card", "a pair of AirPods", "a Galaxy S25",
        ),
    },
    "grocery": {
        "item": (
            "strawberries", "oat milk", "bananas", "sourdough", "free-range eggs", "avocados",
            "chicken thighs", "greek yoghurt", "tomatoes", "salmon fillets", "baby spinach",
            "basmati rice", "cheddar", "blueberries", "coffee beans", "nappies", "beef mince",
            "bread rolls", "tofu", "lemons", "hummus", "oat biscuits",
        ),
        "window": ("7-8am", "8-9am", "12-1pm", "5-6pm", "6-7pm", "7-8pm", "8-9pm", "9-10pm"),
        "prize": (
            "a £500 shopping voucher", "a year of free groceries", "a luxury hamper", "a PS5",
            "a £250 gift card",
        ),
    },
}  # fmt: skip

TELECOM_EN: Final[Texts] = {
    "complaint.outage": (
        "{at} no signal in {area} since this morning. paying for a service i can't use",
        "is {brand} down again?? nothing loading in {city}",
        "{at} my data has been crawling all day. 1 bar of 5G, sure",
        "third dropped call today. {brand} what is going on in {area}",
        "{at} can't log in to the app, keeps saying 'something went wrong'. helpful.",
        "the {brand} app has been down for {hours} hours and i can't pay my bill",
        "SOS only on my phone in the middle of {city}. {tag}",
        "wifi calling stopped working after the update {at}",
        "texts arriving {hours} hours late. great network you have there {at}",
        "love paying {money} a month for zero bars at home 🙃 {at}",
        "{at} hotspot keeps disconnecting every 10 minutes and i have a deadline",
        "no bars, no wifi calling, no clue. thanks {at}",
        "calls from {area} keep cutting out after 30 seconds {at}",
        "{brand} signal in {city} is a joke. full bars, nothing loads",
        "wow, {brand} data works perfectly... when i'm standing on the balcony 👍",
    ),
    "complaint.billing": (
        "{at} charged twice this month AGAIN. {money} gone. where is my refund",
        "great, charged twice again. love that for me {at}",
        "been waiting {days} days for a refund of {money}. ticket {ref}. anyone?",
        "why is my bill {money} when my plan is {money}?? {at}",
        "{at} autopay took {money} twice and the chat says 'allow 7-10 business days'. no.",
        "surprise {money} 'service fee' on my bill. never agreed to that {at}",
        "cancelled my line {days} days ago and still got billed {money} {at}",
        "{brand} billing is a joke. paid on time, got a late fee anyway",
        "what a lovely surprise, a {money} roaming charge for a trip i never took {at}",
        "{at} your app says paid, your bill says overdue. which one is it",
        "third month in a row my {brand} bill is wrong. impressive consistency",
        "{at} promised a {money} credit on my account {days} days ago. still not there",
    ),
    "complaint.customer_service": (
        "thanks for the {hours} hour wait 🙃 {at}",
        "{mins} minutes on hold with {brand} and then it hung up on me",
        "the {brand} chat bot keeps sending me the same faq link. i want a human {at}",
        "{at} 4 agents, 4 different answers. nobody knows what my plan includes",
        "DM'd {at} {days} days ago, still no reply",
        "transferred {n} times and back to the start. excellent service {brand}, truly 👏",
        "promised a callback by {time}. still waiting {at}",
        "asked {at} a simple question and got a copy-paste answer. do you even read these",
        "{brand} support told me to restart my phone. i have restarted my phone 40 times",
        "{at} case {ref} closed without anyone contacting me. why",
        "so helpful of {brand} to close my ticket without fixing anything. thanks so much!",
        "{at} your phone menu has 9 options and none of them is 'talk to a person'",
    ),
    "complaint.product_quality": (
        "{at} the {phone} i got from you keeps restarting every hour",
        "new SIM from {brand} says 'invalid SIM' in my {phone}",
        "eSIM activation failed {n} times, now i have no number at all {at}",
        "my {phone} from {brand} came with a cracked screen protector and a dead battery",
        "{at} voicemail hasn't worked in {days} days",
        "the refurbished {phone} {brand} sent me overheats just sitting on the desk",
        "{feature} still broken on my {phone} after the carrier update {at}",
        "port-in failed and now my old number is in limbo {at}",
        "{brand} replacement SIM is DOA. third one. amazing quality control",
    ),
    "complaint.pricing": (
        "{at} just saw my {plan} went up {money} a month. i'm in a contract??",
        "another price hike from {brand}. that's {n} this year",
        "paying {money} for {plan} while my friend pays half elsewhere. loyalty means nothing",
        "{brand} raised prices and cut the data. bold move",
        "an early termination fee of {money}? to leave a network that doesn't work? {at}",
        "the 'loyalty discount' ended and my bill doubled. cool cool cool {at}",
        "how is {plan} {money} now. it was way cheaper last year {at}",
        "{brand} calling a price increase an 'upgrade' is genuinely funny",
    ),
    "complaint.staff": (
        "the guy at {store} rolled his eyes when i asked about my bill {at}",
        "rude staff at {store}. told me to 'just google it'",
        "{at} your rep at {store} sold my mom a plan she doesn't need",
        "waited {mins} min at {store} and they locked the door on me at 5:55",
        "staff at {store} laughed at my old phone. very professional {brand}",
        "manager at the {city} store refused to help with my trade-in {at}",
        "{brand} sales guy lied to my face about the contract length",
    ),
    "complaint.delivery": (
        "{at} my {phone} order says delivered. it was not delivered",
        "replacement SIM still hasn't arrived after {days} days {at}",
        "ordered a {phone} from {brand} {days} days ago and tracking hasn't moved",
        "courier left my new phone on the doorstep in the rain. thanks {brand} 🙃",
        "{at} order {order} 'delayed' for the {nth} time",
        "you shipped my new SIM to my old address even though i updated it {at}",
        "{brand} sent me the wrong colour {phone} and now the return takes 2 weeks",
    ),
    "incident.outage": (
        "no service at all in {city} {tag}",
        "is {short} down?? {at}",
        "is {brand} down for anyone else or just me",
        "sos signal only. {at} what's happening",
        "#{short}down",
        "#{short}down again. can't even call my kid's school",
        "{at} whole office has no signal. {area} is dead",
        "no calls no texts no data. {brand} you had one job",
        "is there an outage? phone says no service since 1pm {at}",
        "restarted {n} times, still no service. #{short}down",
        "{at} any ETA on the outage? i work from my phone",
        "the {brand} status page says 'all systems operational' lol. lmao even",
        "my whole family is on {brand} and none of us can call. great day for it",
        "had to beg a coffee shop for wifi because {brand} is down",
        "{at} outage in {city}?? i need to call my doctor",
        "no service since lunch. if it's a tower thing just tell us {at}",
        "emergency calls only on {brand}. this is actually dangerous",
        "{brand} down in {city} too? #{short}down",
        "just SOS in the corner of my screen. {at} please",
        "me refreshing {brand}'s status page every 2 minutes #{short}down",
    ),
    "incident.customer_service": (
        "on hold for {mins} minutes to report the outage. {at} pick up",
        "{at} your chat bot says 'no known issues in your area'. everyone here has no signal",
        "can't even call {brand} support to report the outage because... no signal",
    ),
    "incident.billing": (
        "{at} are we getting a credit for today's outage or nah",
        "paying {money} a month for a network that's down all afternoon {at}",
    ),
    "praise": (
        "this new {short} plan is sick 🔥",
        "shoutout to {at} for fixing my {feature} in like 5 minutes",
        "switched to {brand} last month and no problems at all so far",
        "{brand} 5G in {city} is actually insane. 900 mbps",
        "never had a single dropped call since moving to {brand}",
        "the staff at {store} were super helpful setting up my {phone}",
        "{at} you guys are killing it with the {plan} deal",
        "not gonna lie, {brand} signal on the subway is unreal",
        "ported my number to {brand} in 10 minutes. painless",
        "{at} thanks for sorting my bill out so fast",
        "can't complain about {brand} honestly. cheap and it works",
        "roaming with {brand} on holiday worked perfectly, zero extra charges",
        "props to the {brand} agent who stayed on the line until my eSIM worked",
        "damn, {brand} coverage up at the lake is wild. full bars",
        "lowkey {brand} has the best app of any carrier",
        "{brand} customer service actually called me back when they said they would. wow",
        "{plan} from {brand} is ridiculously good value",
        "{at} you guys just saved my vacation, {feature} works great",
        "got my {relative} onto {brand} and even they figured out the app",
        "{feature} on my {phone} with {brand} works flawlessly {daypart}",
        "{brand} in {city} {daypart}: full bars everywhere. who are you",
        "the {brand} rep in {city} was so patient with my {relative}. thank you",
    ),
    "question": (
        "{at} does {plan} include hotspot?",
        "anyone know if {brand} supports eSIM on the {phone}?",
        "{at} how do i turn on wifi calling on the {phone}?",
        "does {brand} have decent coverage in {city}? moving there next month",
        "{at} can i keep my number if i switch to {plan}?",
        "is the activation fee waived if i sign up online? {at}",
        "how long does a port-in usually take with {brand}?",
        "{at} what are the roaming rates for {abroad}?",
        "anyone on {brand} in {area}? how's the signal",
        "{at} when will the {phone} be back in stock?",
        "can i pause my line while i'm abroad {at}?",
        "{at} is there a student discount on {plan}?",
        "thinking of switching to {brand}, is it any good in {city}?",
        "{at} does {feature} work on the {phone}? my {relative} wants one",
        "anyone using {brand} {feature} abroad? does it cost extra?",
        "{at} how do i add my {relative} to my {plan} account?",
        "{at} where do i find the PUK code for my {relative}'s line?",
        "does {brand} throttle data after a certain amount on {plan}?",
    ),
    "neutral": (
        "{brand} announces 5G expansion to {city} {newslink}",
        "{brand} Q3 results: subscriber growth slows, revenue per user up {newslink}",
        "{brand} has {plan} for {money}/mo this week {link}",
        "switching my {relative} and me to {brand} next month, we'll see",
        "on the train out of {city}, {brand} holding up ok so far",
        "my {relative} just got a first smartphone on {brand}. pray for me",
        "{brand} is hiring retail staff in {city} {link}",
        "the {brand} ad jingle has been stuck in my head {daypart}",
        "{brand} vs the big three: a price comparison {newslink}",
        "apparently {brand} is sponsoring the {city} marathon",
        "new {brand} store opening in {city} next week",
        "finally ported my number to {brand} from {city}, let's see how it goes",
        "{brand} texted me about a plan change {daypart}, reading the fine print now",
        "{brand} adds smartwatch plans for {money}/mo {newslink}",
        "{brand} to retire its 3G network next year {newslink}",
        "walked past the {brand} store in {city} and they're giving out free phone cases",
        "my {phone} on {brand} just updated, let's see what changed",
        "{brand} partners with a streaming service for a bundle {newslink}",
        "everyone at work in {city} is on {brand} now, weird",
        "got a {brand} flyer in the mail about {plan}",
        "my {relative} keeps telling me to switch to {brand}",
        "{brand} billboard on the way into {city} is huge lol",
        "trying the {brand} {plan} plan for a month, will report back",
        "{brand} sent me a survey {daypart}. filled it in i guess",
        "watching the game and a {brand} ad came on {n} times",
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
        "{at} sin señal en {city} desde esta mañana",
        "¿{brand} está caído otra vez? no me carga nada",
        "llevo todo el día sin datos, qué servicio tan malo {at}",
        "otra vez sin cobertura en casa. pago {money} al mes para esto {at}",
    ),
    "complaint.billing": (
        "{at} me cobraron dos veces este mes. ¿dónde está mi reembolso?",
        "¿por qué mi factura es de {money}? {at}",
        "qué bien, otro cobro doble. gracias {brand} 🙃",
    ),
    "complaint.customer_service": (
        "{mins} minutos en espera con {brand} y me colgaron",
        "el chatbot de {brand} no sirve para nada, quiero hablar con una persona",
        "gracias por la espera de {hours} horas {at} 🙃",
    ),
    "complaint.pricing": (
        "{brand} subió el precio de {plan} otra vez",
        "{at} ¿otra subida de precio? estoy en contrato",
    ),
    "complaint.product_quality": (
        "mi SIM nueva de {brand} dice 'SIM no válida' {at}",
        "el {phone} que me vendieron se reinicia solo cada hora {at}",
    ),
    "complaint.staff": ("el empleado de la tienda de {brand} fue muy grosero conmigo {at}",),
    "complaint.delivery": ("{at} mi {phone} dice entregado pero nunca llegó",),
    "incident.outage": (
        "¿{short} está caído? no tengo servicio {tag}",
        "sin servicio en {city}, solo llamadas de emergencia #{short}down",
        "{at} ¿hay una caída de red? no puedo llamar a nadie",
        "se cayó {brand} otra vez 😡 #{short}down",
    ),
    "praise": (
        "cambié a {brand} y cero problemas 👍🏽",
        "la señal de {brand} en {city} está increíble 🔥",
        "gracias {at} por resolver lo de mi factura tan rápido ❤️",
        "el nuevo plan {plan} está brutal",
    ),
    "question": (
        "{at} ¿el plan {plan} incluye roaming en México?",
        "¿alguien sabe si {brand} tiene buena cobertura en {city}?",
        "{at} ¿cómo activo la eSIM en mi {phone}?",
    ),
    "neutral": (
        "{brand} anuncia la expansión de 5G en {city} {newslink}",
        "me cambio a {brand} el mes que viene, a ver qué tal en {city}",
        "{brand} tiene {plan} por {money} al mes esta semana {link}",
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

GROCERY_EN: Final[Texts] = {
    "complaint.delivery": (
        "{at} order {order} was due {window}. it's now {time}. nothing",
        "driver marked my order as delivered. it was not delivered. {at}",
        "half my order missing again {at}. no {item}, no {item}",
        "1 hour delivery window and they still came late. brilliant {brand} 🙃",
        "{at} my delivery was cancelled {mins} minutes before the slot. no explanation",
        "waited in all evening for {brand}. slot was {window}. no show",
        "thanks {at} for delivering my shopping to a completely different street",
        "order {order} has been 'on its way' for {hours} hours now",
        "{brand} left my frozen stuff on the doorstep in the sun",
        "missing {item} AND {item}. that was literally dinner {at}",
        "{brand} delivery {hours} hours late on a sunday evening. again.",
        "cool, my {window} slot became a 'sometime tonight' slot. love that {brand}",
    ),
    "complaint.product_quality": (
        "{at} the {item} in today's order were mouldy. best before is next week",
        "ordered {item}, got {item} as a substitute. how is that a substitute",
        "substituted {item} with {item}. genuinely baffled {brand}",
        "eggs smashed, {item} squashed, bag split. great work {at}",
        "who picks the fruit at {brand}? bananas already black",
        "{at} the chicken smelled off the moment i opened it",
        "love getting {item} that expire tomorrow from {brand} 👌",
        "every substitution this week was worse than the last {at}",
        "my {item} arrived crushed. again {at}",
        "{brand} sent me {n} bags of {item} instead of {n}. i'm one person",
    ),
    "complaint.billing": (
        "{at} still waiting on a refund for the missing {item}, {days} days now",
        "charged {money} for items that never arrived {at}",
        "refund 'processed' {days} days ago. bank says nope {at}",
        "got charged twice for order {order}. fantastic {brand}",
        "{at} you refunded {money} on a {money} order?? maths",
        "a refund as {brand} credit instead of to my card? no thanks {at}",
        "great, charged twice again. love that for me {at}",
    ),
    "complaint.customer_service": (
        "{mins} mins in the {brand} chat queue. still position {n}",
        "the {brand} chatbot offered me a recipe when i asked where my order is",
        "{at} 'we'll get back to you within 24h'. it's been {days} days",
        "emailed {brand} about a missing order, got an automated survey back. lol",
        "thanks for the {hours} hour wait {at} 🙃",
        "{at} your help page just loops back to itself",
        "really appreciate {brand} closing my complaint without reading it. top work",
    ),
    "complaint.staff": (
        "{brand} driver threw my bags on the doorstep and drove off",
        "{at} driver was so rude when i asked him to bring the bags up",
        "your driver blocked my driveway for 20 mins and swore at my neighbour {at}",
        "{brand} driver refused to come up to the 3rd floor. i'm on crutches",
        "driver today was shouting on the phone the whole time and dropped the eggs {at}",
    ),
    "complaint.outage": (
        "{brand} app crashed at checkout for the {nth} time. basket gone",
        "{at} can't log in to the app, it says 'unexpected error'",
        "app froze at payment and now i don't know if my order went through {at}",
        "the {brand} website has been down all morning and my slot expires at {time}",
        "{at} promo code not applying and the app keeps crashing. excellent",
        "{brand} app update deleted all my favourites {at}",
    ),
    "complaint.pricing": (
        "{brand} delivery fee went up to {money}?? for a {window} slot",
        "{at} minimum order is now {money}. seriously",
        "{item} costs {money} on {brand} and half that in the shop. why",
        "the new 'service charge' on {brand} is a bit much {at}",
        "delivery pass price went up again {at}. bye",
        "{brand} quietly shrank the {item} and kept the price. noticed",
    ),
    "praise": (
        "{brand} driver today was an absolute star, carried everything up {n} flights",
        "no problems at all with my {brand} delivery today 👍🏽",
        "{at} the {item} this week were unreal, best i've had",
        "honestly {brand} saved my week. delivery in {hours} hours",
        "shoutout to {at} for refunding the missing {item} without any fuss",
        "{brand} strawberries are sick this season 🍓",
        "every order from {brand} has been spot on lately",
        "got free {item} with my {brand} order {daypart}, love that",
        "the {brand} app is so much better since the update",
        "{brand} substitutions were actually better than what i ordered lol",
        "can't fault {brand}, on time every single week",
        "{brand} driver helped my nan with her bags. proper gent",
        "damn, the {brand} {item} are dangerously good",
        "not one thing missing or damaged. well done {at}",
        "{brand} delivered in the {window} slot bang on time {daypart}",
        "the {item} from {brand} {daypart} were perfect",
        "my {relative} loves the {brand} driver. knows him by name now",
        "{brand} refunded the {item} in {mins} minutes. that's how you do it",
    ),
    "question": (
        "{at} do you deliver to {city}?",
        "can i change my slot after ordering? {at}",
        "does {brand} do same-day delivery on sundays?",
        "{at} how do i add {item} to an order i've already placed?",
        "is the {brand} delivery pass worth it?",
        "{at} what time is the cut-off for tomorrow's {window} slot?",
        "does anyone know if {brand} sells gluten free {item}?",
        "{at} can i leave a note for the driver about my {item}?",
        "is it just me or has {brand} stopped selling {item}?",
        "{at} do you take back the bags in {city}?",
        "{at} is there a {window} slot left for {city} tomorrow?",
        "does {brand} do organic {item}?",
        "{at} can my {relative} pick up my order instead?",
        "{at} why can't i book a slot for {city} this week?",
        "is the {brand} {item} any good or should i get it elsewhere?",
    ),
    "neutral": (
        "{brand} opens new fulfilment centre near {city} {newslink}",
        "{brand} to trial electric vans in {city} {newslink}",
        "{brand} has {item} half price this week {link}",
        "doing the weekly {brand} shop at {time} again",
        "first time trying {brand} in {city}, fingers crossed",
        "{brand} advert with the dancing carrots has been stuck in my head {daypart}",
        "{brand} vs the supermarket: a price comparison {newslink}",
        "just put in my {brand} order for the week, {money} with {item}",
        "{brand} is hiring drivers in {city} {link}",
        "the {brand} van is on our street in {city} every {weekday} like clockwork",
        "{brand} named most downloaded grocery app this month {newslink}",
        "my {relative} has discovered {brand} and orders {item} every day now",
        "{brand} announces plastic-free packaging for fruit and veg {newslink}",
        "meal planning for the week, {brand} basket is already at {money}",
        "{brand} van just parked outside in {city} {daypart}",
        "my {relative} swears by {brand} for the weekly shop",
        "adding {item} to the {brand} basket {daypart}",
        "{brand} has a new own-brand {item}, interesting",
        "{brand} sent me a {money} off voucher {daypart}",
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
    "complaint.delivery": ("{at} mi pedido {order} no llegó", "¿dónde está mi pedido? {at}"),
    "complaint.product_quality": ("me mandaron {item} en mal estado {at}",),
    "praise": ("el pedido de {brand} llegó perfecto hoy 👍🏽",),
    "question": ("{at} ¿hacen entregas en {city}?",),
    "neutral": ("haciendo la compra semanal en {brand}",),
    "reply.complaint": ("¡Lo sentimos! Envíanos un DM con tu número de pedido. ^{sig}",),
}

#: Per profile and language, the template texts; a key missing in a language uses English.
PROFILE_TEXTS: Final[dict[str, dict[str, Texts]]] = {
    "telecom": {"en": TELECOM_EN, "es": TELECOM_ES},
    "grocery": {"en": GROCERY_EN, "es": GROCERY_ES},
}
