"""The reporter's words, Dutch first and English on request (``?lang=en``), in plain language (B1).

The public pages set no cookie, so the language travels in the address: ``link()`` adds ``lang=en`` to
every address on an English page, and every form posts to an address that carries it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from meldpunt.errors import DomainError
from meldpunt.intake.attachments import ALLOWED_TEXT, MAX_FILE_BYTES, MAX_FILES, AttachmentRefused, reason_text
from meldpunt.web.i18n import in_language

LANGUAGES = ("nl", "en")

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "skip": "Direct naar de inhoud",
        "reporting_point": "Meldpunt",
        "other_language": "English",
        "other_language_code": "en",
        "intro": "Heeft u op het werk te maken met seksueel grensoverschrijdend gedrag, agressie, pesten of "
        "discriminatie, of heeft u het zien gebeuren? U staat er niet alleen voor. Hieronder staat wat u kunt "
        "doen. U beslist zelf.",
        "ways": "Wat kunt u doen?",
        "way_adviser": "In vertrouwen praten met een vertrouwenspersoon.",
        "way_adviser_text": "Die luistert, denkt met u mee en doet niets zonder uw toestemming.",
        "way_adviser_branch": "{member} werkt met de vertrouwenspersonen van {branch}.",
        "way_report": "Een melding doen",
        "way_report_text": "bij {member}: dan wordt er iets mee gedaan. Dat kan ook anoniem.",
        "way_complaint": "Een klacht indienen",
        "way_complaint_text": ": een formele procedure, met uw naam, als het u zelf is overkomen.",
        "way_signal": "Een signaal doorgeven",
        "way_signal_text": ": iets wat u van een ander heeft gehoord of vermoedt. Ook anoniem.",
        "way_elsewhere": "Ergens anders terecht:",
        "way_elsewhere_text": "bij het Huis voor Klokkenluiders (bij een misstand), bij de politie (aangifte doen) "
        "of bij het College voor de Rechten van de Mens (bij discriminatie).",
        "anonymity_limits": "Anoniem melden: wat wel en niet kan",
        "anonymous_limits": "wij weten niet wie u bent en kunnen u ook niets terugvragen. Er kan minder mee "
        "gebeuren, maar uw melding wordt altijd geregistreerd.",
        "with_code_limits": "u krijgt een code van 16 cijfers. Daarmee leest u antwoorden en vult u uw melding "
        "aan, zonder dat wij weten wie u bent.",
        "confidential_limits": "het meldpunt en wie de melding behandelt, weten wie u bent. Wij zorgen "
        "zorgvuldig voor uw gegevens, maar kunnen vertrouwelijkheid niet bij elke stap garanderen.",
        "no_tracking": "Wij slaan geen IP-adres, browsergegevens of cookies van u op.",
        "have_code": "Ik heb al een code",
        "title_report": "Melding doen",
        "title_complaint": "Klacht indienen",
        "form_has_errors": "Er ontbreekt nog iets of er klopt iets niet. Uw tekst is bewaard; kijk bij de "
        "gemarkeerde vragen.",
        "choose_files_again": "Kies uw bestanden opnieuw: een browser onthoudt ze niet.",
        "storage_unavailable": "Uw bestanden konden we door een storing niet opslaan, en daarom is er nog niets "
        "verstuurd. Uw tekst is bewaard. Probeer het over een paar minuten opnieuw.",
        "q_kind": "Wat wilt u doen?",
        "q_anonymity": "Hoe anoniem wilt u blijven?",
        "q_category": "Waar gaat het over?",
        "q_grounds": "Bij discriminatie: op grond van (kies wat past)",
        "q_attributes": "Wat past erbij? (kies wat past)",
        "q_reporter_role": "Wie bent u?",
        "q_affected": "Is het u zelf overkomen?",
        "q_accused_role": "Wie deed het?",
        "q_setting": "Waar gebeurde het?",
        "q_when": "Wanneer ongeveer?",
        "complaint_intro": "Een klacht is een formele procedure. U dient hem in met uw naam, en alleen als het u "
        "zelf is overkomen. Wilt u anoniem blijven of gaat het om iemand anders? Doe dan een melding; dat kan ook "
        "anoniem.",
        "signal_intro": "Een signaal is iets wat u van een ander heeft gehoord of wat u vermoedt. Namen zijn niet "
        "nodig.",
        "q_narrative": "Wat is er gebeurd?",
        "narrative_hint": "Schrijf in uw eigen woorden wat er gebeurde en wanneer ongeveer. Namen zijn niet nodig.",
        "q_wishes": "Wat zou u willen?",
        "q_attachments": "Bestanden toevoegen (mag ook niet)",
        "attachments_hint": "Hooguit {files} bestanden van elk {megabytes} MB: {allowed}.",
        "attachments_privacy": "Uit elk bestand halen wij verborgen gegevens, zoals de plek waar een foto of "
        "video gemaakt is, wie een document schreef en de naam van het bestand. Wat zichtbaar in het bestand "
        "staat, blijft staan: kijk of daar uw naam in staat.",
        "identity_legend": "Alleen als u vertrouwelijk met uw naam meldt",
        "q_name": "Uw naam",
        "q_contact": "Hoe bereiken we u?",
        "send": "Versturen",
        "thanks_report": "Dank u wel. Uw melding is ontvangen.",
        "thanks_complaint": "Dank u wel. Uw klacht is ontvangen.",
        "thanks_signal": "Dank u wel. Uw signaal is ontvangen.",
        "your_code": "Dit is uw code.",
        "write_it_down": "Schrijf hem op of maak er een foto van: u ziet hem maar één keer.",
        "code_use": "Met deze code leest u antwoorden en vult u uw melding aan.",
        "acknowledge_by": "Uiterlijk {date} laat het meldpunt weten dat uw melding is ontvangen.",
        "print": "U kunt deze pagina ook afdrukken (Ctrl+P of via het menu van uw browser).",
        "files_added": "Toegevoegde bestanden: {count}.",
        "to_inbox": "Naar uw berichten",
        "fully_anonymous_done": "U koos voor volledig anoniem. Uw melding is geregistreerd; we kunnen u niets "
        "terugvragen.",
        "inbox_title": "Uw berichten",
        "status": "Status",
        "no_messages": "Nog geen berichten.",
        "you": "U",
        "reporting_point_says": "Meldpunt",
        "add_or_answer": "Iets toevoegen of antwoorden",
        "code_label": "Uw code van 16 cijfers",
        "open": "Openen",
        "your_files": "Uw bestanden",
        "no_files": "Nog geen bestanden.",
        "add_files": "Bestanden toevoegen",
        "message_sent": "Uw bericht is verstuurd.",
        "files_sent": "Uw bestanden zijn toegevoegd.",
        "known_as": "Het meldpunt kent uw naam: {name}.",
        "reveal_title": "Uw naam toch doorgeven",
        "reveal_text": "U meldde anoniem. Wilt u dat het meldpunt weet wie u bent, bijvoorbeeld om met u te "
        "praten? Dat kan hier. Daarna is uw melding niet meer anoniem; dat kunt u niet terugdraaien.",
        "reveal_button": "Mijn naam doorgeven",
        "revealed": "Uw naam is doorgegeven.",
        "withdraw_title": "Klacht intrekken",
        "withdraw_text": "U kunt uw klacht intrekken zolang er nog geen oordeel over is. Het meldpunt kan dan "
        "nog wel zelf iets doen met wat u vertelde.",
        "withdraw_confirm": "Ja, ik trek mijn klacht in",
        "withdraw_button": "Klacht intrekken",
        "withdrawn": "Uw klacht is ingetrokken.",
        "withdraw_unconfirmed": "Vink eerst aan dat u uw klacht wilt intrekken.",
        "message_limit": "Schrijf een bericht van hooguit 10.000 tekens, of voeg een bestand toe.",
        "narrative_limit": "Beschrijf in eigen woorden wat er is gebeurd (maximaal 20.000 tekens).",
        "identity_needed": "Vul uw naam en hoe we u kunnen bereiken in (of kies voor anoniem).",
        "choose_answer": "Kies een antwoord bij deze vraag.",
        "draft_title": "Een concept van uw vertrouwenspersoon openen",
        "draft_intro": "Heeft u samen met uw vertrouwenspersoon een melding voorbereid? Vul de code in die u "
        "kreeg. U ziet dan de melding, kunt alles aanpassen en verstuurt hem zelf.",
        "draft_code_label": "De conceptcode van 16 cijfers",
        "have_draft": "Ik heb een concept van mijn vertrouwenspersoon",
        "draft_notice": "Dit concept heeft u voorbereid met uw vertrouwenspersoon. Lees alles na en pas aan wat u "
        "wilt. Er gebeurt niets tot u zelf op Versturen drukt.",
    },
    "en": {
        "skip": "Skip to content",
        "reporting_point": "Reporting point",
        "other_language": "Nederlands",
        "other_language_code": "nl",
        "intro": "Are you facing sexual harassment, aggression, bullying or discrimination at work, or have you "
        "seen it happen? You are not alone. Below is what you can do. You decide.",
        "ways": "What can you do?",
        "way_adviser": "Talk in confidence with a confidential adviser.",
        "way_adviser_text": "They listen, think along with you and do nothing without your consent.",
        "way_adviser_branch": "{member} works with the confidential advisers of {branch}.",
        "way_report": "Make a report",
        "way_report_text": "to {member}: then something will be done about it. This can be anonymous.",
        "way_complaint": "File a complaint",
        "way_complaint_text": ": a formal procedure, with your name, if it happened to you.",
        "way_signal": "Pass on a signal",
        "way_signal_text": ": something you heard from someone else or suspect. Also anonymous.",
        "way_elsewhere": "Go elsewhere:",
        "way_elsewhere_text": "to the Dutch Whistleblowers Authority (Huis voor Klokkenluiders, for wrongdoing), to "
        "the police (to press charges) or to the Netherlands Institute for Human Rights (College voor de "
        "Rechten van de Mens, for discrimination).",
        "anonymity_limits": "Reporting anonymously: what can and cannot be done",
        "anonymous_limits": "we do not know who you are and cannot ask you anything. Less can be done, but "
        "your report is always registered.",
        "with_code_limits": "you get a code of 16 digits. With it you read answers and add to your report, "
        "without us knowing who you are.",
        "confidential_limits": "the reporting point and whoever handles the report know who you are. We take "
        "great care of your data, but cannot guarantee confidentiality at every step.",
        "no_tracking": "We do not keep your IP address, browser details or cookies.",
        "have_code": "I already have a code",
        "title_report": "Make a report",
        "title_complaint": "File a complaint",
        "form_has_errors": "Something is missing or not right. Your text has been kept; look at the marked questions.",
        "choose_files_again": "Please choose your files again: a browser does not remember them.",
        "storage_unavailable": "Because of a fault we could not store your files, so nothing has been sent yet. "
        "Your text has been kept. Please try again in a few minutes.",
        "q_kind": "What would you like to do?",
        "q_anonymity": "How anonymous do you want to stay?",
        "q_category": "What is it about?",
        "q_grounds": "For discrimination: on the ground of (choose what applies)",
        "q_attributes": "What applies? (choose what applies)",
        "q_reporter_role": "Who are you?",
        "q_affected": "Did it happen to you?",
        "q_accused_role": "Who did it?",
        "q_setting": "Where did it happen?",
        "q_when": "Roughly when?",
        "complaint_intro": "A complaint is a formal procedure. You file it with your name, and only if it happened "
        "to you. Would you like to stay anonymous, or is it about someone else? Then make a report; that can be "
        "anonymous too.",
        "signal_intro": "A signal is something you heard from someone else or suspect. Names are not needed.",
        "q_narrative": "What happened?",
        "narrative_hint": "Write in your own words what happened and roughly when. Names are not needed.",
        "q_wishes": "What would you like?",
        "q_attachments": "Add files (optional)",
        "attachments_hint": "At most {files} files of {megabytes} MB each: {allowed}.",
        "attachments_privacy": "We remove hidden data from every file, such as where a photo or video was "
        "made, who wrote a document and the file's name. What can be seen in the file stays: check whether "
        "it shows your name.",
        "identity_legend": "Only if you report confidentially with your name",
        "q_name": "Your name",
        "q_contact": "How can we reach you?",
        "send": "Send",
        "thanks_report": "Thank you. Your report has been received.",
        "thanks_complaint": "Thank you. Your complaint has been received.",
        "thanks_signal": "Thank you. Your signal has been received.",
        "your_code": "This is your code.",
        "write_it_down": "Write it down or take a photo of it: you will see it only once.",
        "code_use": "With this code you read answers and add to your report.",
        "acknowledge_by": "By {date} at the latest, the reporting point will confirm that your report arrived.",
        "print": "You can also print this page (Ctrl+P or through your browser's menu).",
        "files_added": "Files added: {count}.",
        "to_inbox": "To your messages",
        "fully_anonymous_done": "You chose to be fully anonymous. Your report has been registered; we cannot "
        "ask you anything.",
        "inbox_title": "Your messages",
        "status": "Status",
        "no_messages": "No messages yet.",
        "you": "You",
        "reporting_point_says": "Reporting point",
        "add_or_answer": "Add something or reply",
        "code_label": "Your 16-digit code",
        "open": "Open",
        "your_files": "Your files",
        "no_files": "No files yet.",
        "add_files": "Add files",
        "message_sent": "Your message has been sent.",
        "files_sent": "Your files have been added.",
        "known_as": "The reporting point knows your name: {name}.",
        "reveal_title": "Give your name after all",
        "reveal_text": "You reported anonymously. Would you like the reporting point to know who you are, for "
        "example to talk with you? You can do so here. Your report is then no longer anonymous; this cannot "
        "be undone.",
        "reveal_button": "Give my name",
        "revealed": "Your name has been passed on.",
        "withdraw_title": "Withdraw complaint",
        "withdraw_text": "You can withdraw your complaint as long as no judgement has been given. The reporting "
        "point may still act on what you told.",
        "withdraw_confirm": "Yes, I withdraw my complaint",
        "withdraw_button": "Withdraw complaint",
        "withdrawn": "Your complaint has been withdrawn.",
        "withdraw_unconfirmed": "First tick that you want to withdraw your complaint.",
        "message_limit": "Write a message of at most 10,000 characters, or add a file.",
        "narrative_limit": "Describe in your own words what happened (at most 20,000 characters).",
        "identity_needed": "Fill in your name and how we can reach you (or choose anonymous).",
        "choose_answer": "Please choose an answer to this question.",
        "draft_title": "Open a draft from your confidential adviser",
        "draft_intro": "Did you prepare a report together with your confidential adviser? Fill in the code you "
        "received. You will see the report, can change anything and send it yourself.",
        "draft_code_label": "The 16-digit draft code",
        "have_draft": "I have a draft from my confidential adviser",
        "draft_notice": "You prepared this draft with your confidential adviser. Read it through and change what "
        "you like. Nothing happens until you press Send yourself.",
    },
}

OPTIONS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "nl": {
        "kind": [
            ("report", "Een melding: er moet iets mee gebeuren"),
            ("signal", "Een signaal: iets wat ik gehoord heb"),
            ("complaint", "Een klacht: formeel, met mijn naam"),
        ],
        "anonymity": [
            ("anonymous", "Volledig anoniem (geen contact mogelijk)"),
            ("anonymous_with_contact", "Anoniem, met een code om antwoorden te lezen"),
            ("confidential", "Vertrouwelijk, met mijn naam"),
        ],
        "category": [
            ("sexual_harassment", "Seksueel grensoverschrijdend gedrag"),
            ("aggression", "Agressie of geweld"),
            ("bullying", "Pesten"),
            ("discrimination", "Discriminatie"),
            ("integrity", "Integriteit"),
            ("unclear", "Weet ik niet"),
        ],
        "discrimination_grounds": [
            ("race", "Afkomst of huidskleur"),
            ("sex", "Geslacht"),
            ("sexual_orientation", "Seksuele gerichtheid"),
            ("age", "Leeftijd"),
            ("disability_or_chronic_illness", "Handicap of chronische ziekte"),
            ("religion", "Godsdienst"),
            ("belief", "Levensovertuiging"),
            ("nationality", "Nationaliteit"),
            ("political_opinion", "Politieke overtuiging"),
            ("marital_status", "Burgerlijke staat"),
            ("working_hours", "Arbeidsduur"),
            ("contract_type", "Soort contract"),
            ("care_leave", "Zorgverlof"),
        ],
        "attributes": [
            ("physical", "Er was fysiek contact"),
            ("online", "Het gebeurde (ook) online"),
            ("power_difference", "De ander heeft macht over mij (bijvoorbeeld mijn leidinggevende)"),
            ("possibly_criminal", "Het is misschien strafbaar"),
            ("repeated", "Het gebeurde vaker of hoort bij de cultuur"),
        ],
        "reporter_role": [
            ("employee", "Medewerker"),
            ("manager", "Leidinggevende"),
            ("flex_worker", "Uitzendkracht, inhuur of zzp"),
            ("intern", "Stagiair of student"),
            ("volunteer", "Vrijwilliger"),
            ("applicant", "Sollicitant"),
            ("former_employee", "Oud-medewerker"),
            ("client_or_third_party", "Cliënt of derde"),
            ("witness", "Getuige"),
        ],
        "reporter_is_affected": [("true", "Ja, het is mij overkomen"), ("false", "Nee, ik heb het gezien of gehoord")],
        "accused_role": [
            ("colleague", "Een collega"),
            ("manager", "Een leidinggevende"),
            ("director_or_board", "Directie of bestuur"),
            ("third_party", "Iemand van buiten"),
            ("unknown", "Weet ik niet of zeg ik liever niet"),
        ],
        "setting": [
            ("workplace", "Op het werk"),
            ("event", "Op een feest of bijeenkomst"),
            ("outing", "Tijdens een uitje"),
            ("online", "Online"),
            ("travel", "Onderweg"),
            ("other", "Ergens anders"),
        ],
        "wishes": [("listening_ear", "Een luisterend oor"), ("advice", "Advies"), ("solution", "Een oplossing")],
        "when": [
            ("this_week", "Deze week"),
            ("this_month", "Deze maand"),
            ("this_year", "Dit jaar"),
            ("longer_ago", "Langer geleden"),
            ("still_going_on", "Het gebeurt nog steeds"),
        ],
    },
    "en": {
        "kind": [
            ("report", "A report: something must be done"),
            ("signal", "A signal: something I heard"),
            ("complaint", "A complaint: formal, with my name"),
        ],
        "anonymity": [
            ("anonymous", "Fully anonymous (no contact possible)"),
            ("anonymous_with_contact", "Anonymous, with a code to read answers"),
            ("confidential", "Confidential, with my name"),
        ],
        "category": [
            ("sexual_harassment", "Sexual harassment or transgressive behaviour"),
            ("aggression", "Aggression or violence"),
            ("bullying", "Bullying"),
            ("discrimination", "Discrimination"),
            ("integrity", "Integrity"),
            ("unclear", "I don't know"),
        ],
        "discrimination_grounds": [
            ("race", "Origin or skin colour"),
            ("sex", "Sex or gender"),
            ("sexual_orientation", "Sexual orientation"),
            ("age", "Age"),
            ("disability_or_chronic_illness", "Disability or chronic illness"),
            ("religion", "Religion"),
            ("belief", "Belief"),
            ("nationality", "Nationality"),
            ("political_opinion", "Political opinion"),
            ("marital_status", "Marital status"),
            ("working_hours", "Working hours"),
            ("contract_type", "Type of contract"),
            ("care_leave", "Care leave"),
        ],
        "attributes": [
            ("physical", "There was physical contact"),
            ("online", "It happened (also) online"),
            ("power_difference", "The other person has power over me (for example my manager)"),
            ("possibly_criminal", "It may be a criminal offence"),
            ("repeated", "It happened more often or is part of the culture"),
        ],
        "reporter_role": [
            ("employee", "Employee"),
            ("manager", "Manager"),
            ("flex_worker", "Agency, hired or self-employed worker"),
            ("intern", "Intern or student"),
            ("volunteer", "Volunteer"),
            ("applicant", "Applicant"),
            ("former_employee", "Former employee"),
            ("client_or_third_party", "Client or third party"),
            ("witness", "Witness"),
        ],
        "reporter_is_affected": [("true", "Yes, it happened to me"), ("false", "No, I saw or heard it")],
        "accused_role": [
            ("colleague", "A colleague"),
            ("manager", "A manager"),
            ("director_or_board", "Management or board"),
            ("third_party", "Someone from outside"),
            ("unknown", "I don't know or would rather not say"),
        ],
        "setting": [
            ("workplace", "At work"),
            ("event", "At a party or gathering"),
            ("outing", "During an outing"),
            ("online", "Online"),
            ("travel", "On the way"),
            ("other", "Somewhere else"),
        ],
        "wishes": [("listening_ear", "A listening ear"), ("advice", "Advice"), ("solution", "A solution")],
        "when": [
            ("this_week", "This week"),
            ("this_month", "This month"),
            ("this_year", "This year"),
            ("longer_ago", "Longer ago"),
            ("still_going_on", "It is still going on"),
        ],
    },
}

STATUS: dict[str, dict[str, str]] = {
    "nl": {
        "received": "ontvangen: het meldpunt kijkt ernaar",
        "routed": "het meldpunt heeft bepaald wie uw melding oppakt",
        "in_progress": "in behandeling",
        "decided": "er is besloten wat er met uw melding gebeurt; u hoort wat dat voor u betekent",
        "withdrawn": "ingetrokken",
        "judged": "er is een oordeel gegeven",
        "closed": "afgesloten",
        "dismissed": "weggezet: het bericht kwam binnen tijdens een golf van berichten en is niet behandeld. "
        "Ging het wel echt ergens over? Meld het dan opnieuw.",
    },
    "en": {
        "received": "received: the reporting point is looking at it",
        "routed": "the reporting point has decided who takes up your report",
        "in_progress": "being handled",
        "decided": "it has been decided what happens with your report; you will hear what it means for you",
        "withdrawn": "withdrawn",
        "judged": "a judgement has been given",
        "closed": "closed",
        "dismissed": "set aside: it arrived during a flood of messages and was not handled. Was it real? Then "
        "please report again.",
    },
}

# English words for the errors a reporter can meet; their Dutch words are the errors' own detail.
ERRORS_EN: dict[str, str] = {
    "complaint-needs-name": "A complaint is filed with your name, and only if it happened to you. Would you like "
    "to stay anonymous, or is it about someone else? Then make a report; that can be anonymous too.",
    "identity-missing": "You chose a confidential report with your name: fill in your name and how we can reach "
    "you, or choose anonymous.",
    "identity-not-wanted": "You chose anonymous: then leave your name and contact details empty.",
    "receipt-not-recognised": "We do not know this code at this reporting point. Check the 16 digits and try again.",
    "too-many-attempts": "Too many attempts have been made. Please wait a few minutes and try again.",
    "too-many-submissions": "This reporting point is receiving an exceptional number of messages right now. "
    "Nothing was sent; please try again in an hour.",
    "already-known": "The reporting point already knows your name for this report.",
    "withdraw-not-complaint": "Only a complaint can be withdrawn. A report stays registered.",
    "withdraw-already": "You have already withdrawn this complaint.",
    "withdraw-judged": "A judgement has been given on this complaint; it can no longer be withdrawn.",
    "form-unreadable": "The form did not arrive properly. Please go back and try again.",
    "draft-not-recognised": "We do not know this draft code at this reporting point, or it was used or has "
    "expired. Please ask your confidential adviser for a new one.",
}


def language_for(query_lang: str | None, tenant_locale: str | None) -> str:
    """The language of a public page: ``?lang=`` when given, else the organisation's (Dutch by default)."""
    if query_lang in LANGUAGES:
        return str(query_lang)
    return tenant_locale if tenant_locale in LANGUAGES else "nl"


def error_text(error: DomainError, language: str) -> str:
    if isinstance(error, AttachmentRefused):
        return reason_text(error, language)
    if language == "nl":
        return error.detail
    return ERRORS_EN.get(getattr(error, "key", None) or error.slug, error.detail)


def public_context(language: str, default: str = "nl") -> dict[str, Any]:
    """What every public template gets: its words, the options, and ``link()`` that keeps the language
    (``default`` is the organisation's own language, which needs no ``lang=`` in the address)."""

    def link(path: str, **params: str) -> str:
        return in_language(f"{path}?{urlencode(params)}" if params else path, language, default)

    texts = TEXTS[language]
    return {
        "p": texts,
        "options": OPTIONS[language],
        "status_names": STATUS[language],
        "lang": language,
        "link": link,
        "attachments_hint": texts["attachments_hint"].format(
            files=MAX_FILES, megabytes=MAX_FILE_BYTES // (1024 * 1024), allowed=ALLOWED_TEXT
        ),
    }
