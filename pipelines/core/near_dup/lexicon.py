"""Per-language function-word lists used as spin-resistant anchors by ``near_dup``.

Spinners swap content words (nouns, verbs, adjectives) for thesaurus synonyms but mostly keep
articles, pronouns, auxiliaries, prepositions and conjunctions, because swapping those breaks
grammar. These lists are deliberately short (high-frequency closed-class words only): a word that a
spinner is likely to swap ("such", "near", "including") costs a few shingles, not correctness.

Languages without a list fall back to frequency/length anchors in ``near_dup`` (Zipf's law of
abbreviation: the most frequent, i.e. function, words of any language are its shortest ones).
"""

from __future__ import annotations

_RAW: dict[str, str] = {
    "en": """a an the and or but nor so yet if then than that this these those there here
        of to in on at by for with from into onto over under about after before between through
        during without within against among above below up down out off as
        i me my we us our you your he him his she her it its they them their who whom whose which
        what when where why how
        is are was were be been being am has have had do does did will would shall should can
        could may might must not no also only just all any both each few more most other some
        such own same very too one two its while because until since although though whether
        s t""",
    "de": """der die das den dem des ein eine einen einem einer eines und oder aber sondern denn
        doch wenn als wie dass ob weil da so auch nur noch schon nicht kein keine keinen keinem
        keiner ich du er sie es wir ihr ihn ihm ihnen mich mir dich dir uns euch sich sein seine
        seinen seinem seiner ihre ihren ihrem ihrer unser unsere dieser diese dieses diesem diesen
        jener jene welche welcher welches wer was wo wann warum
        ist sind war waren bin bist seid sein gewesen hat haben hatte hatten habe wird werden
        wurde wurden worden kann können konnte konnten muss müssen soll sollen will wollen
        in im an am auf aus bei mit nach von vom zu zum zur für über unter vor hinter neben
        zwischen durch gegen ohne um bis seit während wegen trotz man hier dort dann""",
    "fr": """le la les l un une des du de d et ou mais donc or ni car que qu qui quoi dont où
        ce cet cette ces c il elle ils elles on nous vous je j tu me m te se s lui leur leurs
        son sa ses mon ma mes ton ta tes notre nos votre vos y en ne n pas plus
        est sont était étaient être été a ont avait avaient avoir eu fait sera seront
        à au aux dans sur sous par pour avec sans entre vers chez contre depuis pendant avant
        après comme si aussi très tout tous toute toutes même""",
    "es": """el la los las lo un una unos unas y e o u pero sino ni que quien quienes cual
        cuales cuyo donde cuando como de del al a en con por para sin sobre entre hasta desde
        hacia contra según durante ante tras bajo se su sus le les me te nos os mi mis tu tus
        yo tú él ella ellos ellas nosotros usted ustedes este esta estos estas ese esa esos esas
        es son era eran fue fueron ser sido está están estaba estaban ha han había habían haber
        no sí más muy también ya todo todos toda todas mismo""",
    "it": """il lo la i gli le l un uno una un' e ed o ma però che chi cui non più anche come
        di del dello della dei degli delle da dal dallo dalla dai dagli dalle a al allo alla ai
        agli alle in nel nello nella nei negli nelle su sul sullo sulla sui sugli sulle con per
        tra fra si ci ne mi ti vi lui lei loro suo sua suoi sue mio mia questo questa questi
        queste quello quella è sono era erano essere stato stata ha hanno aveva avevano avere
        se quando dove molto tutto tutti già""",
    "pl": """i a o u w we z ze na do od po za przez przy pod nad przed bez dla jak jako że
        czy nie tak to ten ta te tego tej tym tych jest są był była było były być będzie
        ma mają miał się go jej ich mu im on ona ono oni one my wy ja ty który która które
        którego której których co kto gdzie kiedy ale lub albo oraz też także już jeszcze
        tylko bardzo może można jego swój swoje sobie tam tu""",
    "ru": """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по
        только ее её мне было вот от меня еще ещё нет о из ему теперь когда даже ну вдруг ли
        если уже или ни быть был была были него до вас нибудь опять уж вам ведь там потом себя
        ничего ей может они тут где есть надо ней для мы тебя их чем сам чтоб без будто чего
        раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом
        один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два
        об другой хоть после над больше тот через эти нас про всего них какая много разве три
        эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более
        всегда конечно всю между это также который которые которая которых""",
    "tr": """ve ile de da ki bu şu o bir için gibi ama fakat ancak çünkü veya ya daha en çok
        az her hiç ne mi mı mu mü ben sen biz siz onlar bunu şunu onu bunun onun bunlar olan
        olarak oldu olduğu olduğunu olan olması değil var yok kadar sonra önce ise diye
        tarafından üzerinde arasında göre karşı kendi tüm bütün""",
    "ar": """في من على إلى الى عن مع أن ان إن أو او و ثم لا لم لن ما هذا هذه ذلك تلك الذي
        التي الذين هو هي هم نحن أنا كان كانت يكون قد كل بعد قبل بين حتى عند إذا اذا لكن
        أي كما فقط أيضا ايضا منذ خلال حول ضد لدى عليه عليها فيه فيها منه منها له لها به بها
        وقد وفي ومن وعلى وأن وهو وهي ولا""",
    "pt": """o a os as um uma uns umas e ou mas que quem qual de do da dos das em no na nos
        nas por pelo pela para com sem sobre entre até desde se seu sua seus suas ele ela
        eles elas eu nós você é são era eram foi foram ser ter tem têm tinha não sim mais muito
        também já como quando onde este esta isto esse essa isso aquele aquela""",
    "nl": """de het een en of maar dat die dit deze wat wie waar wanneer hoe van in op aan
        met voor naar bij uit over onder tot door om tegen zonder tussen ik jij je hij zij ze
        wij we jullie u hem haar hun mij me ons zich is zijn was waren ben bent heeft hebben
        had hadden wordt worden werd werden zal zullen kan kunnen moet moeten niet geen ook
        nog al er dan als zo""",
}

STOPWORDS: dict[str, frozenset[str]] = {lang: frozenset(raw.split()) for lang, raw in _RAW.items()}

# Languages whose script marks proper nouns with a capital letter that spinners leave alone.
# German is excluded on purpose: every noun is capitalised there, so capitals are content words.
CASED_NAMES: frozenset[str] = frozenset({"en", "fr", "es", "it", "pl", "ru", "tr", "pt", "nl"})

# Scripts written without spaces between words: tokenise by character instead of by word.
UNSEGMENTED: frozenset[str] = frozenset({"zh", "ja", "th", "lo", "km", "my"})

# The few most frequent, most grammar-bound function words (articles, genitive/infinitive
# particles). Even aggressive spinners that rewrite prepositions and auxiliaries keep these,
# so the "invariant" view (these + punctuation + digits + names) survives heavy spinning.
_RAW_TIER1: dict[str, str] = {
    "en": "the a an of to",
    "de": "der die das den dem des ein eine einen einem einer eines zu",
    "fr": "le la les l un une des du de d",
    "es": "el la los las lo un una unos unas de del",
    "it": "il lo la i gli le l un uno una di del della dei degli delle",
    "pt": "o a os as um uma de do da dos das",
    "nl": "de het een van",
    "pl": "i w z na się",
    "ru": "и в на с не что",
    "tr": "ve bir bu da de",
    "ar": "في من على و أن",
}
TIER1: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in _RAW_TIER1.items()}
