"""Word lists for matching cues: stop words, negations, and near-synonyms of words and phrases.

Everything is written folded (lower case, no accents) except the phrases, which are folded on use.
"""

from __future__ import annotations


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = {
    "en": word_set(
        "a an the to of for and or in on at by your our my we i you us is are be will with this "
        "that it its as me can"
    ),
    "fr": word_set(
        "le la les l un une des de du d et ou a au aux en pour par sur vous nous je j votre vos "
        "notre nos est sont ce cette que qu se s y"
    ),
}
NEGATIONS = {
    "en": word_set("not no never t cannot unable without nor"),
    "fr": word_set("ne n pas jamais aucun aucune sans ni"),
}
# A negation next to one of these negates nothing after it: "do not hesitate to contact us",
# "n'hésitez pas à nous contacter", "not only", "no later than".
NEGATION_RELEASERS = ("hesit", "only", "just", "later", "seulement")

SYNONYMS = {
    "en": [
        "refund reimburse repay reimbursement",
        "sorry apologise apologize apology apologies regret",
        "delay late lateness",
        "replace replacement exchange swap",
        "deliver delivery ship shipment dispatch send",
        "order purchase",
        "cancel cancellation terminate",
        "contact reach call phone",
        "help assist support",
        "check verify investigate review examine",
        "fix resolve solve repair",
        "confirm confirmation",
        "soon shortly promptly quickly asap",
        "thank thanks grateful appreciate",
        "problem issue trouble fault",
        "broken damaged faulty defective",
        "price cost charge fee",
        "receive get",
        "inform tell notify update",
        "arrive reach",
        "free complimentary",
    ],
    "fr": [
        "rembourser remboursement recrediter",
        "desole excuse excuser regretter pardon",
        "retard retarder",
        "remplacer remplacement echanger echange",
        "livrer livraison expedier expedition envoyer envoi",
        "commande commander achat",
        "annuler annulation resilier",
        "contacter joindre appeler",
        "aider aide assister assistance",
        "verifier controler examiner",
        "resoudre regler corriger reparer",
        "confirmer confirmation",
        "remercier merci",
        "probleme souci incident difficulte panne",
        "casse endommage abime defectueux",
        "prix cout tarif frais",
        "recevoir obtenir",
        "informer prevenir tenir",
        "rapidement vite bientot",
        "gratuit offert",
    ],
}

# Phrases that say the same thing as a whole. A cue that is one of them is also found as any
# other; each phrase must still appear as written (inflected), word for word.
PHRASE_SYNONYMS = {
    "en": [
        # offering further help / asking the customer to write back (support-desk English,
        # including Indian and Philippine usage: "revert" = reply)
        (
            "let us know",
            "contact us",
            "feel free to contact",
            "feel free to reach out",
            "feel free to revert",
            "revert back to us",
            "revert to us",
            "reach out",
            "reach out to us",
            "get back to us",
            "do not hesitate to contact",
            "don't hesitate to contact",
            "do not hesitate to reach out",
            "don't hesitate to reach out",
        ),
    ],
    "fr": [
        (
            "à votre disposition",
            "à votre entière disposition",
            "je reste à votre disposition",
            "nous restons à votre disposition",
            "restons à votre disposition",
            "n'hésitez pas à nous contacter",
            "n'hésitez pas à nous recontacter",
            "n'hésitez pas à revenir vers nous",
            "à votre écoute",
        ),
    ],
}
