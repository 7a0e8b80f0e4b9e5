"""Build models/lexicons/es.txt, the Spanish sentiment lexicon, from the lemma lists below.

Written for brandpulse (Apache-2.0, like the rest of the repository): every lemma and valence
here is this project's own judgement on VADER's scale (-4 extremely negative .. +4 extremely
positive; VADER's English anchors: good 1.9, great 3.1, bad -2.5, horrible -2.5, love 3.2,
hate -2.7), not copied from any lexicon. Each lemma is expanded into its common written
forms (gender and number of adjectives and nouns, the verb forms posts use) and each form
with accents also without them, as people type ("pesimo", "rapido"). Run from a checkout:

    python scripts/build_lexicon_es.py          # rewrites models/lexicons/es.txt
    python scripts/build_lexicon_es.py --check  # exit 1 when the file is not what it builds

models/lexicons/DATASHEET.md says how the lists were written and checked.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "models" / "lexicons" / "es.txt"

# Adjectives ending in -o (o/a/os/as), then invariable ones (+s/es plural).
ADJ_O = {
    "bueno": 1.9, "buenísimo": 2.8, "bonito": 2.0, "lindo": 2.1, "precioso": 2.6,
    "hermoso": 2.6, "perfecto": 2.7, "rápido": 1.3, "barato": 1.0, "cómodo": 1.6,
    "limpio": 1.3, "contento": 2.1, "encantado": 2.4, "satisfecho": 1.9, "agradecido": 2.0,
    "maravilloso": 3.0, "fantástico": 3.0, "estupendo": 2.8, "magnífico": 3.0, "rico": 2.0,
    "sabroso": 2.2, "delicioso": 2.8, "atento": 1.6, "amable": 2.0, "simpático": 1.9,
    "majo": 1.8, "correcto": 0.8, "eficiente": 1.6, "puntual": 1.4, "práctico": 1.3,
    "seguro": 1.2, "tranquilo": 1.2, "feliz": 2.4, "alegre": 2.1, "divertido": 2.1,
    "increíble": 2.6, "espectacular": 2.9, "impecable": 2.7, "recomendado": 1.8,
    "económico": 0.9, "honesto": 1.7, "fiable": 1.6, "confiable": 1.6, "útil": 1.5,
    "sencillo": 0.9, "fácil": 1.2, "fresco": 1.2, "nuevo": 0.6, "chévere": 2.3,
    "bacano": 2.3, "padrísimo": 2.8, "chido": 2.2, "copado": 2.2, "buenazo": 2.5,
    "exquisito": 2.8, "genial": 3.0, "ideal": 2.2, "excelente": 3.2, "brillante": 2.4,
    "crack": 2.3, "top": 2.0, "amoroso": 2.1, "cuidadoso": 1.3, "generoso": 2.0,
    "malo": -2.5, "malísimo": -3.1, "pésimo": -3.1, "horrible": -2.6, "terrible": -2.7,
    "fatal": -2.6, "asqueroso": -2.8, "lento": -1.3, "caro": -1.2, "carísimo": -2.0,
    "roto": -1.8, "sucio": -1.9, "frío": -0.6, "helado": -0.6, "crudo": -1.0,
    "podrido": -2.6, "vencido": -1.3, "caducado": -1.5, "dañado": -1.9, "defectuoso": -2.0,
    "averiado": -1.7, "estropeado": -1.9, "mojado": -0.8, "aplastado": -1.4, "equivocado": -1.4,
    "incorrecto": -1.3, "grosero": -2.3, "maleducado": -2.3, "borde": -1.8, "antipático": -1.9,
    "inútil": -2.3, "incompetente": -2.5, "lamentable": -2.5, "vergonzoso": -2.4,
    "indignado": -2.5, "harto": -2.2, "cansado": -1.3, "molesto": -1.8, "enojado": -2.3,
    "enfadado": -2.3, "cabreado": -2.5, "furioso": -2.8, "decepcionado": -2.2,
    "frustrado": -2.1, "preocupado": -1.4, "triste": -2.1, "indignante": -2.6,
    "abusivo": -2.5, "injusto": -2.1, "ridículo": -1.9, "absurdo": -1.7, "peligroso": -2.1,
    "inseguro": -1.5, "tóxico": -2.3, "falso": -1.8, "engañoso": -2.2, "tramposo": -2.4,
    "desastroso": -2.8, "deficiente": -1.9, "mediocre": -1.5, "patético": -2.5, "penoso": -2.2,
    "cutre": -1.8, "chafa": -2.0, "trucho": -1.9, "choto": -2.0, "berreta": -1.9,
    "asco": -2.6, "odioso": -2.5, "insoportable": -2.6, "inaceptable": -2.5, "irresponsable": -2.2,
    "desesperado": -2.0, "estafado": -2.6, "perdido": -1.3, "atrasado": -1.3, "retrasado": -1.3,
    "cancelado": -1.3, "bloqueado": -1.4, "caído": -1.4, "colgado": -1.2, "pegado": -0.5,
    "doble": -0.2, "cobrado": -0.6, "pendiente": -0.4, "desconectado": -1.0, "incómodo": -1.5,
    "pesado": -1.0, "ruidoso": -1.2, "tardío": -1.2, "escaso": -0.9, "pequeño": -0.3,
}
ADJ_INV = {
    "excelente": 3.2, "genial": 3.0, "increíble": 2.6, "amable": 2.0, "eficiente": 1.6,
    "puntual": 1.4, "feliz": 2.4, "útil": 1.5, "fácil": 1.2, "ideal": 2.2, "brillante": 2.4,
    "espectacular": 2.9, "impecable": 2.7, "fiable": 1.6, "confiable": 1.6, "agradable": 2.0,
    "responsable": 1.3, "estable": 0.9, "rentable": 1.0, "recomendable": 1.9, "especial": 1.6,
    "sensacional": 2.9, "formidable": 2.8, "amigable": 1.9,
    "horrible": -2.6, "terrible": -2.7, "fatal": -2.6, "inútil": -2.3, "incompetente": -2.5,
    "lamentable": -2.5, "triste": -2.1, "indignante": -2.6, "ridículo": -1.9, "inaceptable": -2.5,
    "insoportable": -2.6, "irresponsable": -2.2, "deficiente": -1.9, "mediocre": -1.5,
    "patético": -2.5, "pendiente": -0.4, "inestable": -1.3, "imposible": -1.4, "infame": -2.6,
    "deplorable": -2.7, "miserable": -2.6, "intolerable": -2.5, "impresentable": -2.4,
    "lento": -1.3, "grave": -1.6, "débil": -1.0, "peor": -2.2, "mejor": 1.7, "fenomenal": 3.0,
    "crack": 2.3, "top": 2.0, "cool": 1.8, "borde": -1.8, "cutre": -1.8, "chafa": -2.0,
    "berreta": -1.9, "bacán": 2.3, "chévere": 2.3, "brutal": 2.4, "bestial": 2.4, "flipante": 2.3,
    "alucinante": 2.6, "impresionante": 2.6, "eficaz": 1.6, "veloz": 1.3, "gentil": 1.9,
    "cordial": 1.6, "profesional": 1.5, "paciente": 1.3, "capaz": 1.0, "infernal": -2.6,
    "abusador": -2.5, "estafador": -2.8, "mentiroso": -2.5, "ladrón": -2.7, "desagradable": -2.2,
}
# Nouns (singular; the plural is made).
NOUNS = {
    "gracias": 1.9, "maravilla": 2.8, "lujo": 2.2, "placer": 2.3, "alegría": 2.5, "amor": 3.0,
    "éxito": 2.5, "solución": 1.3, "ayuda": 1.2, "recomendación": 1.0, "calidad": 1.0,
    "felicidad": 2.8, "gusto": 1.9, "joya": 2.4, "fenómeno": 2.0, "genio": 2.1, "ganga": 1.8,
    "diez": 1.2, "crack": 2.3, "orgullo": 2.0, "cariño": 2.3, "bendición": 2.3, "regalo": 1.6,
    "mejora": 1.4, "premio": 1.8, "sonrisa": 1.9, "paz": 1.9, "confianza": 1.8, "ventaja": 1.2,
    "problema": -1.7, "fallo": -1.8, "falla": -1.8, "error": -1.7, "queja": -1.9, "reclamo": -1.7,
    "reclamación": -1.7, "estafa": -2.9, "robo": -2.8, "fraude": -2.9, "desastre": -2.8,
    "vergüenza": -2.3, "basura": -2.5, "porquería": -2.6, "mierda": -2.7, "caca": -1.9,
    "asco": -2.6, "decepción": -2.4, "engaño": -2.5, "abuso": -2.6, "retraso": -1.6,
    "demora": -1.4, "atraso": -1.5, "avería": -1.7, "caída": -1.5, "corte": -1.3, "apagón": -1.8,
    "cobro": -0.7, "cargo": -0.4, "multa": -1.5, "recargo": -1.4, "pérdida": -1.8, "daño": -1.9,
    "peligro": -2.2, "riesgo": -1.3, "miedo": -2.0, "rabia": -2.5, "bronca": -2.3, "coraje": -1.5,
    "enojo": -2.2, "tristeza": -2.3, "molestia": -1.6, "lío": -1.4, "caos": -2.0, "pesadilla": -2.6,
    "infierno": -2.6, "tortura": -2.8, "burla": -2.2, "mentira": -2.3, "chapuza": -2.2,
    "timo": -2.6, "mal": -2.0, "malestar": -1.6, "dolor": -2.0, "insulto": -2.4,
    "grosería": -2.3, "odio": -2.9, "desgracia": -2.5, "drama": -1.3, "disgusto": -2.0,
    "fracaso": -2.4, "ruina": -2.3, "trampa": -2.1, "pena": -1.8,
    "intoxicación": -2.4, "herida": -2.0, "quemadura": -2.0, "alergia": -1.3, "plaga": -2.2,
    "cucaracha": -2.0, "rata": -1.9, "moho": -1.9, "pelo": -0.3, "lentitud": -1.5,
    "tardanza": -1.5, "incompetencia": -2.4, "negligencia": -2.5, "desprecio": -2.5,
}
# Regular verbs: (stem + ending class, valence). Forms: infinitive, present, preterite,
# participle, gerund. Irregular verbs list their forms.
VERBS_AR = {
    "encantar": 2.9, "gustar": 1.8, "amar": 3.0, "recomendar": 1.8, "agradecer": 0,  # -er below
    "felicitar": 2.2, "disfrutar": 2.2, "ayudar": 1.3, "solucionar": 1.5, "arreglar": 1.2,
    "funcionar": 0.6, "mejorar": 1.4, "ahorrar": 1.1, "flipar": 1.5, "alegrar": 2.0,
    "salvar": 1.8, "adorar": 2.9, "celebrar": 2.0, "premiar": 1.8, "triunfar": 2.1,
    "odiar": -2.9, "fallar": -1.8, "estafar": -2.9, "robar": -2.7, "engañar": -2.5,
    "cobrar": -0.5, "tardar": -1.1, "demorar": -1.1, "retrasar": -1.3, "cancelar": -1.3,
    "bloquear": -1.3, "colgar": -1.0, "ignorar": -1.9, "molestar": -1.7, "enojar": -2.1,
    "cabrear": -2.4, "decepcionar": -2.4, "fastidiar": -2.0, "quemar": -1.7, "lastimar": -2.1,
    "dañar": -1.9, "estropear": -1.9, "quejar": -1.8, "reclamar": -1.4, "denunciar": -1.6,
    "apestar": -2.3, "frustrar": -2.1, "preocupar": -1.3, "empeorar": -2.0, "olvidar": -0.9,
    "mentir": 0, "abusar": -2.5, "maltratar": -2.6, "insultar": -2.4, "tirar": -0.4,
    "desesperar": -2.1, "agobiar": -1.9, "hartar": -2.1, "indignar": -2.5, "enfermar": -2.0,
    "intoxicar": -2.4, "rayar": -1.2, "trabar": -1.2, "congelar": -0.8, "caducar": -1.2,
    "equivocar": -1.3, "extraviar": -1.5, "estancar": -1.2, "saturar": -1.3,
}
VERBS_ER_IR = {
    "agradecer": 2.0, "merecer": 0.8, "resolver": 1.4, "sorprender": 1.2, "convencer": 1.2,
    "ofender": -2.1, "perder": -1.5, "romper": -1.7, "prometer": 0.3, "doler": -1.8,
    "sufrir": -2.2, "mentir": -2.4, "devolver": 0.1, "corromper": -2.3, "aburrir": -1.5,
    "abrir": 0.2, "cumplir": 1.2, "atender": 0.6, "recibir": 0.2, "arrepentir": -1.8,
}
VERB_FORMS = {  # irregular or frequent inflected forms
    "vale": 0.6, "mola": 1.9, "molan": 1.9, "molaba": 1.6, "rifa": 2.0, "rifó": 2.0,
    "rifaron": 2.0, "rifan": 2.0, "sirve": 0.4, "sirven": 0.4, "anda": 0.2,
    "jode": -2.1, "jodido": -2.3, "jodida": -2.3, "joder": -1.9, "jodieron": -2.3,
    "apesta": -2.3, "apestan": -2.3, "cae": -0.9, "cayó": -1.0, "murió": -1.6, "muerto": -1.6,
    "falla": -1.8, "fallan": -1.8, "rompió": -1.7, "perdieron": -1.5, "perdió": -1.5,
    "encanta": 2.9, "encantan": 2.9, "encantó": 2.9, "encantaron": 2.9, "gusta": 1.8,
    "gustó": 1.8, "gustan": 1.8, "gustaron": 1.8, "quiero": 0.5, "quiere": 0.5,
    "amo": 3.0, "amé": 3.0, "odio": -2.9, "odié": -2.9,
}
# More words met in posts to brands (lexicon version 2).
MORE = {
    "chiste": -1.4, "respeto": 1.6, "masa": 1.6, "pasada": 0.5, "bendito": 2.2, "bendita": 2.2,
    "desinstalada": -1.6, "desinstalé": -1.6, "desinstalo": -1.6, "bye": -0.6, "chau": -0.4,
    "descosido": -1.5, "descosidos": -1.5, "chirriando": -1.2, "humillada": -2.5,
    "humillado": -2.5, "horno": -0.8, "rayita": -0.6, "timbre": 0.0, "completo": 0.6,
    "facilísima": 2.1, "facilísimo": 2.1, "comodísimo": 2.2, "comodísima": 2.2,
    "rapidísimo": 2.0, "rapidísima": 2.0, "flipas": 1.7, "flipando": 1.7, "flipé": 1.7,
    "nítidos": 1.3, "nítido": 1.3, "nítida": 1.3, "arrepentimiento": -1.6, "paciencia": 1.3,
    "infinita": 0.6, "agradecería": 1.4, "agradecida": 2.0, "agradecido": 2.0,
    "quejar": -1.8, "queja": -1.9, "lloré": -0.6, "obsesionado": 0.4, "felices": 2.4,
    "cortó": -1.1, "cortaron": -1.2, "cortan": -1.1, "falta": -0.8, "faltan": -0.8,
    "abusan": -2.5, "ruido": -0.9, "sucia": -1.9, "sucias": -1.9, "gratis": 1.2,
    "bonus": 1.2, "regaló": 1.6, "regalaron": 1.6, "ayudarle": 1.0, "ayudó": 1.3,
    "solucionaron": 1.6, "resolvieron": 1.6, "volando": 0.8, "teletransportación": 1.2,
    "desastrosa": -2.8, "lentísimo": -2.0, "lentísima": -2.0, "pesimamente": -2.8,
    "fatalmente": -2.4, "perfectamente": 2.4, "genialmente": 2.6, "estupendamente": 2.6,
}
# Slang and interjections of the Spanish-speaking world, and set phrases as one token.
SLANG = {
    "jaja": 1.5, "jajaja": 1.6, "jajajaja": 1.6, "jeje": 1.2, "jiji": 1.0, "xd": 1.4,
    "uff": -0.8, "ufff": -1.0, "puf": -0.9, "buf": -0.8, "ugh": -1.6, "bah": -0.9,
    "meh": -0.6, "guau": 2.0, "wow": 2.3, "olé": 2.2, "bravo": 2.6, "hurra": 2.3,
    "porfa": 0.3, "porfis": 0.3, "gracias": 1.9, "graciass": 1.9, "grax": 1.7, "thx": 1.7,
    "crack": 2.3, "cracks": 2.3, "capo": 2.2, "capos": 2.2, "capa": 2.1, "titán": 2.2,
    "máquina": 1.8, "máquinas": 1.8, "pro": 1.5, "top": 2.0, "joya": 2.4, "joyita": 2.4,
    "buenardo": 2.4, "buenarda": 2.4, "zarpado": 1.5, "zarpada": 1.5, "re": 0.0,
    "fachero": 2.0, "fachera": 2.0, "piola": 1.8, "bacán": 2.3, "bakan": 2.3, "chimba": 2.0,
    "cuchi": 2.0, "guay": 2.2, "guays": 2.2, "mola": 1.9, "chulo": 1.9, "chula": 1.9,
    "chulada": 2.2, "chingón": 2.4, "chingona": 2.4, "cagada": -2.3, "cagadas": -2.3,
    "cagaron": -2.3, "cagó": -2.2, "chafa": -2.0, "pinche": -1.6, "pinches": -1.6,
    "mamada": -1.7, "mamadas": -1.7, "chingadera": -2.2, "chingaderas": -2.2, "verga": -1.6,
    "pedo": -0.8, "ptm": -2.1, "alv": -1.5, "wtf": -1.8, "omg": 0.5, "lol": 1.3, "smh": -1.4,
    "puta": -1.9, "putada": -2.4, "hostia": -1.2, "hostias": -1.3, "coño": -1.4, "carajo": -1.7,
    "mierda": -2.7, "cagón": -1.9, "fail": -2.0, "epic": 1.6, "malardo": -2.2, "malarda": -2.2,
    "bodrio": -2.2, "truchada": -2.0, "garrón": -2.0, "bajón": -1.7, "embole": -1.5,
    "rollo": -0.5, "tostón": -1.7, "churro": -1.2, "bronca": -2.3, "facepalm": -1.5,
    "nefasto": -2.8, "nefasta": -2.8, "nefastos": -2.8, "nefastas": -2.8, "ñoño": -0.5,
}
# Emoji, read as Spanish-speaking posts use them (🔥 and 💀 praise and laughter; 🙃 and 🤡
# sarcasm about the brand).
EMOJI = {
    "😍": 2.9, "🥰": 2.8, "❤": 2.7, "💖": 2.7, "💕": 2.6, "💙": 2.3, "💚": 2.3, "💜": 2.3,
    "😊": 2.2, "😁": 2.1, "😀": 1.9, "😃": 2.0, "😄": 2.1, "🙂": 1.0, "😉": 1.3, "😎": 1.9,
    "🤩": 2.8, "🥳": 2.6, "🎉": 2.3, "👏": 2.0, "🙌": 2.2, "👍": 1.7, "👌": 1.6, "💪": 1.7,
    "✨": 1.5, "⭐": 1.6, "🌟": 1.8, "🔥": 2.0, "💯": 2.2, "🤗": 2.1, "🥹": 1.5, "🥲": 0.6,
    "😂": 1.5, "🤣": 1.6, "💀": 0.8, "🙏": 1.3, "✅": 1.0, "🍹": 0.8,
    "😡": -2.8, "🤬": -3.0, "😠": -2.5, "😤": -2.0, "👎": -2.1, "😞": -2.0, "😔": -1.9,
    "😢": -2.1, "😭": -1.2, "😩": -2.0, "😫": -2.0, "🙄": -1.7, "😒": -1.8, "🤡": -2.0,
    "🙃": -1.2, "😑": -1.2, "😐": -0.6, "🤦": -1.7, "💩": -2.3, "🤮": -2.7, "🤢": -2.3,
    "😱": -1.6, "😰": -1.7, "😓": -1.4, "😪": -1.0, "🥵": -0.8, "🥶": -0.8, "⚠": -1.0,
    "❌": -1.5, "🚫": -1.5, "💔": -2.5, "😖": -1.9, "😣": -1.7, "😬": -0.9, "🫠": -0.8,
}


def _strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn" or c == "\u0303")
    return unicodedata.normalize("NFC", kept)


def _plural(word: str) -> str:
    if word.endswith(("s", "x")):
        return word
    if word[-1] in "aeiouáéó":
        return word + "s"
    if word.endswith("z"):
        return word[:-1] + "ces"
    if word.endswith("ón"):
        return word[:-2] + "ones"
    if word.endswith("án"):
        return word[:-2] + "anes"
    return word + "es"


def _adj_o(lemma: str) -> list[str]:
    if not lemma.endswith("o"):
        return [lemma, _plural(lemma)]
    stem = lemma[:-1]
    return [lemma, stem + "a", stem + "os", stem + "as"]


#: A superlative in -ísimo is a degree stronger (VADER's booster step, B_INCR 0.293, twice).
SUPERLATIVE_STEP = 0.6


def _superlatives(lemma: str) -> list[str]:
    """bueno -> buenísimo/a/os/as (rápido -> rapidísimo); none for lemmas already in -ísimo."""
    if not lemma.endswith("o") or "ísim" in lemma:
        return []
    stem = _strip_accents(lemma[:-1])
    if stem.endswith("c"):  # rico -> riquísimo
        stem = stem[:-1] + "qu"
    elif stem.endswith("g"):  # largo -> larguísimo
        stem = stem + "u"
    return [stem + "ísim" + e for e in ("o", "a", "os", "as")]


def _verb(inf: str) -> list[str]:
    stem, end = inf[:-2], inf[-2:]
    if end == "ar":
        endings = ["ar", "o", "as", "a", "amos", "an", "é", "aste", "ó", "aron", "aba", "aban",
                   "ado", "ada", "ados", "adas", "ando"]
    else:
        vowel = "e" if end == "er" else "i"
        endings = [end, "o", "es", "e", vowel + "mos", "en", "í", "iste", "ió", "ieron",
                   "ía", "ían", "ido", "ida", "idos", "idas", "iendo"]
    forms = [stem + e for e in endings]
    if stem.endswith("c") and end == "er":  # agradezco, merezco
        forms[1] = stem[:-1] + "zco"
    return forms


def _adjective_o(lemma: str, valence: float) -> list[tuple[str, float]]:
    """An -o adjective's four forms, then its superlatives a degree stronger."""
    stronger = valence + (SUPERLATIVE_STEP if valence > 0 else -SUPERLATIVE_STEP)
    stronger = max(-4.0, min(4.0, stronger))
    return [(form, valence) for form in _adj_o(lemma)] + [
        (form, stronger) for form in _superlatives(lemma)
    ]


def _with_plural(lemma: str, valence: float) -> list[tuple[str, float]]:
    return [(lemma, valence), (_plural(lemma), valence)]


def _verb_forms(infinitive: str, valence: float) -> list[tuple[str, float]]:
    return [(form, valence) for form in _verb(infinitive)]


def _as_written(form: str, valence: float) -> list[tuple[str, float]]:
    return [(form, valence)]


Expand = Callable[[str, float], list[tuple[str, float]]]
#: Each table and how its entries become forms, in the order they are added: the first
#: valence a form gets is kept (bueno's superlative buenísimo before the lemma buenísimo).
TABLES: tuple[tuple[dict[str, float], Expand], ...] = (
    (ADJ_O, _adjective_o),
    (ADJ_INV, _with_plural),
    (NOUNS, _with_plural),
    (VERBS_AR, _verb_forms),
    (VERBS_ER_IR, _verb_forms),
    (VERB_FORMS, _as_written),
    (MORE, _as_written),
    (SLANG, _as_written),
    (EMOJI, _as_written),
)


def entries() -> dict[str, float]:
    """Every form and its valence, each form with accents also without them. A valence of 0
    adds nothing (agradecer and mentir are listed with the conjugation they follow)."""
    out: dict[str, float] = {}
    for table, expand in TABLES:
        for lemma, valence in table.items():
            for form, v in expand(lemma, valence):
                if v == 0:
                    continue
                for variant in (form, _strip_accents(form)):
                    out.setdefault(variant, round(v, 1))
    return out


def render() -> str:
    """The text of models/lexicons/es.txt."""
    lines = [
        "# brandpulse Spanish sentiment lexicon, VADER's format: token<TAB>mean valence (-4..+4).",
        "# Written for this project (Apache-2.0); built by scripts/build_lexicon_es.py from its",
        "# lemma lists (models/lexicons/DATASHEET.md). Do not edit by hand: edit the script.",
    ]
    lines += [f"{w}\t{v}" for w, v in sorted(entries().items())]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build models/lexicons/es.txt.")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when the file is not what the lists build",
    )
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is not what {Path(__file__).name} builds: run it", file=sys.stderr)
            return 1
        print(f"{OUT}: up to date")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT}: {len(entries())} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
