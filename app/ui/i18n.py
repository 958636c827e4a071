"""Every UI string, in Dutch (the default) and English, in one table.

`t(key, lang, **values)` formats the string; an unknown key comes back as the key itself (a
unit test checks that every key the pages use is here, in both languages).
"""

from __future__ import annotations

from typing import Any

from app.ui.i18n_monitor import STRINGS as MONITOR_STRINGS
from app.ui.i18n_supply import SUPPLY_STRINGS

LANGS = ("nl", "en")

STRINGS: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ app, login
    "app.title": {"nl": "Paraat", "en": "Paraat"},
    "app.tagline": {"nl": "Drentse defensieleveranciers vinden en verbinden",
                    "en": "Find and connect Drenthe's defence suppliers"},
    "app.api_at": {"nl": "API: {url}", "en": "API: {url}"},
    "login.token": {"nl": "Toegangstoken", "en": "Access token"},
    "login.submit": {"nl": "Inloggen", "en": "Log in"},
    "login.logout": {"nl": "Uitloggen", "en": "Log out"},
    "login.as": {"nl": "Ingelogd als **{name}** ({role})",
                 "en": "Logged in as **{name}** ({role})"},
    "login.empty": {"nl": "Vul uw toegangstoken in.", "en": "Enter your access token."},
    "login.bad_token": {"nl": "Dit token is onbekend of ingetrokken.",
                        "en": "This token is unknown or revoked."},
    "role.admin": {"nl": "beheerder", "en": "administrator"},
    "role.bizdev": {"nl": "Business Developer Defensie", "en": "Business Developer Defence"},
    "role.scout": {"nl": "MINDbase-scout", "en": "MINDbase scout"},
    "role.company": {"nl": "bedrijf", "en": "company"},
    "role.None": {"nl": "gast", "en": "guest"},
    # ------------------------------------------------------------------ pages
    "page.home": {"nl": "Start", "en": "Start"},
    "page.search": {"nl": "Leveranciers zoeken", "en": "Find suppliers"},
    "page.clusters": {"nl": "Clusters verkennen", "en": "Explore clusters"},
    "page.register": {"nl": "Bedrijf registreren / mijn profiel",
                      "en": "Register company / my profile"},
    "page.loket": {"nl": "Loket", "en": "Service desk"},
    "page.patterns": {"nl": "Vraagpatronen", "en": "Demand patterns"},
    "page.admin": {"nl": "Beheer", "en": "Administration"},
    # ------------------------------------------------------------------ errors
    "err.unreachable": {"nl": "De Paraat-API is niet bereikbaar. Probeer het straks opnieuw.",
                        "en": "The Paraat API cannot be reached. Please try again shortly."},
    "err.timeout": {"nl": "De Paraat-API antwoordde niet op tijd. Probeer het opnieuw.",
                    "en": "The Paraat API did not answer in time. Please try again."},
    "err.unauthorized": {"nl": "U bent niet (meer) ingelogd of uw token is verlopen.",
                         "en": "You are not logged in (any more) or your token has expired."},
    "err.login_again": {"nl": "Log opnieuw in met een geldig token.",
                        "en": "Please log in again with a valid token."},
    "err.forbidden": {"nl": "Uw rol heeft geen toegang tot deze functie.",
                      "en": "Your role has no access to this function."},
    "err.not_available": {"nl": "Deze functie is op deze server (nog) niet beschikbaar.",
                          "en": "This function is not available on this server (yet)."},
    "err.not_found": {"nl": "Niet gevonden.", "en": "Not found."},
    "err.conflict": {"nl": "Dit kan nu niet: het conflicteert met de huidige gegevens.",
                     "en": "This cannot be done now: it conflicts with the current data."},
    "err.empty_graph": {"nl": "De graaf bevat nog geen bedrijven. Laad eerst gegevens "
                              "(bijvoorbeeld `paraat ingest seed`).",
                        "en": "The graph holds no companies yet. Load data first "
                              "(for example `paraat ingest seed`)."},
    "err.invalid": {"nl": "De invoer is niet geldig. Controleer de velden.",
                    "en": "The input is not valid. Please check the fields."},
    "err.too_large": {"nl": "Het bestand of de tekst is te groot.",
                      "en": "The file or text is too large."},
    "err.rate_limited": {"nl": "Te veel verzoeken achter elkaar. Wacht een minuut.",
                         "en": "Too many requests in a row. Please wait a minute."},
    "err.server": {"nl": "De server heeft een probleem. Probeer het straks opnieuw.",
                   "en": "The server has a problem. Please try again shortly."},
    "err.unknown": {"nl": "Er ging iets mis bij de Paraat-API.",
                    "en": "Something went wrong at the Paraat API."},
    "err.unexpected": {"nl": "Er ging iets mis op deze pagina. Vernieuw de pagina of probeer "
                             "het later opnieuw.",
                       "en": "Something went wrong on this page. Reload it or try again "
                             "later."},
    # ------------------------------------------------------------------ home
    "home.connected": {"nl": "Verbonden met de graaf (Neo4j {version}).",
                       "en": "Connected to the graph (Neo4j {version})."},
    "home.graph_down": {"nl": "De graafdatabase is nu niet bereikbaar. Probeer het straks "
                              "opnieuw.",
                        "en": "The graph database cannot be reached now. Please try again "
                              "shortly."},
    "home.welcome": {"nl": "Welkom, **{name}** ({role}).", "en": "Welcome, **{name}** ({role})."},
    "home.login_hint": {"nl": "Log links in met uw toegangstoken om te zoeken, te registreren "
                              "of het loket te gebruiken. Clusters verkennen kan zonder.",
                        "en": "Log in on the left with your access token to search, register "
                              "or use the service desk. Exploring clusters works without."},
    "home.pages": {"nl": "- **Leveranciers zoeken**: een vraag van Defensie, de best passende "
                         "Drentse leveranciers met uitleg.\n"
                         "- **Clusters verkennen**: netwerk, matrix en kaart van Drenthe.\n"
                         "- **Bedrijf registreren**: uw eigen profiel en capabilities.\n"
                         "- **Loket**: een idee, aanbod of vraag voor Defensie.\n"
                         "- **Vraagpatronen**: welke vragen Defensie stelt, door de tijd.",
                   "en": "- **Find suppliers**: a Defence question, the best-matching "
                         "suppliers in Drenthe with reasons.\n"
                         "- **Explore clusters**: network, matrix and map of Drenthe.\n"
                         "- **Register company**: your own profile and capabilities.\n"
                         "- **Service desk**: an idea, offer or question for Defence.\n"
                         "- **Demand patterns**: which questions Defence asks, over time."},
    # ------------------------------------------------------------------ search
    "search.intro": {"nl": "Typ een vraag van Defensie in het Nederlands of Engels.",
                     "en": "Type a Defence question in Dutch or English."},
    "search.question": {"nl": "Vraag", "en": "Question"},
    "search.placeholder": {"nl": "Wij zoeken lichtgewicht ballistische bescherming voor "
                                 "voertuigen",
                           "en": "We are looking for lightweight ballistic protection for "
                                 "vehicles"},
    "search.top_k": {"nl": "Aantal resultaten", "en": "Number of results"},
    "search.submit": {"nl": "Zoeken", "en": "Search"},
    "search.busy": {"nl": "Bezig met zoeken…", "en": "Searching…"},
    "search.need_question": {"nl": "Typ eerst een vraag.", "en": "Type a question first."},
    "search.filters": {"nl": "Filters", "en": "Filters"},
    "search.filters_unavailable": {"nl": "Filters", "en": "Filters"},
    "search.nld_area": {"nl": "NLD-gebied", "en": "NLD area"},
    "search.cluster": {"nl": "Cluster", "en": "Cluster"},
    "search.municipality": {"nl": "Gemeente", "en": "Municipality"},
    "search.size": {"nl": "Omvang", "en": "Size"},
    "search.capability": {"nl": "Capability", "en": "Capability"},
    "search.capability_hint": {"nl": "Typ een woord (Nederlands of Engels)",
                               "en": "Type a word (Dutch or English)"},
    "size.any": {"nl": "alle", "en": "any"},
    "size.small": {"nl": "klein (< 50 medewerkers)", "en": "small (< 50 employees)"},
    "size.medium": {"nl": "middelgroot (50–249)", "en": "medium (50–249)"},
    "size.large": {"nl": "groot (250+)", "en": "large (250+)"},
    "search.no_results": {"nl": "Geen leveranciers gevonden. Maak de vraag ruimer of haal "
                                "filters weg.",
                          "en": "No suppliers found. Broaden the question or remove filters."},
    "search.question_concepts": {"nl": "Begrippen in de vraag", "en": "Concepts in the question"},
    "search.score": {"nl": "Score", "en": "Score"},
    "search.matched_concepts": {"nl": "Passende begrippen", "en": "Matched concepts"},
    "search.why": {"nl": "Waarom dit resultaat?", "en": "Why this result?"},
    "search.graph_path": {"nl": "Pad door de graaf", "en": "Path through the graph"},
    "search.terms": {"nl": "Gevonden woorden", "en": "Matched words"},
    "search.add_shortlist": {"nl": "Op shortlist zetten", "en": "Add to shortlist"},
    "search.in_shortlist": {"nl": "Staat op shortlist", "en": "On shortlist"},
    "search.shortlist": {"nl": "Shortlist", "en": "Shortlist"},
    "search.shortlist_empty": {"nl": "Nog leeg. Zet resultaten op de shortlist om ze te "
                                     "exporteren.",
                               "en": "Empty. Add results to export them."},
    "search.export_csv": {"nl": "Download CSV", "en": "Download CSV"},
    "search.export_xlsx": {"nl": "Download Excel", "en": "Download Excel"},
    "search.shortlist_save": {"nl": "Bewaar op server", "en": "Save on server"},
    "search.shortlist_saved": {"nl": "Shortlist bewaard.", "en": "Shortlist saved."},
    "search.shortlist_name": {"nl": "Shortlist", "en": "Shortlist"},
    "search.shortlist_clear": {"nl": "Leegmaken", "en": "Clear"},
    "search.watchlists": {"nl": "Watchlists", "en": "Watchlists"},
    "search.watch_name": {"nl": "Naam van de watchlist", "en": "Watchlist name"},
    "search.watch_save": {"nl": "Bewaar vraag als watchlist", "en": "Save question as watchlist"},
    "search.watch_saved": {"nl": "Watchlist bewaard.", "en": "Watchlist saved."},
    "search.watch_none": {"nl": "Nog geen watchlists.", "en": "No watchlists yet."},
    "search.watch_pick": {"nl": "Watchlist", "en": "Watchlist"},
    "search.watch_new": {"nl": "Wat is er nieuw?", "en": "What is new?"},
    "search.watch_nothing_new": {"nl": "Niets nieuws sinds de vorige keer.",
                                 "en": "Nothing new since last time."},
    "badge.stale": {"nl": "verouderd profiel", "en": "stale profile"},
    "badge.expired": {"nl": "verlopen", "en": "expired"},
    "claim.self_declared": {"nl": "eigen verklaring", "en": "self-declared"},
    "claim.evidence_uploaded": {"nl": "bewijs aangeleverd", "en": "evidence uploaded"},
    "claim.verified": {"nl": "geverifieerd", "en": "verified"},
    "exp.none": {"nl": "nog geen defensie-ervaring", "en": "no defence experience yet"},
    "exp.indirect": {"nl": "indirect defensieleverancier", "en": "indirect defence supplier"},
    "exp.direct": {"nl": "direct defensieleverancier", "en": "direct defence supplier"},
    "exp.unknown": {"nl": "onbekend", "en": "unknown"},
    "search.compliance": {"nl": "Certificeringen en verklaringen",
                          "en": "Certifications and declarations"},
    "search.verified_only": {"nl": "Alleen geverifieerde", "en": "Verified only"},
    "search.defence_experience": {"nl": "Defensie-ervaring", "en": "Defence experience"},
    "vis.title": {"nl": "Wie ziet wat", "en": "Who sees what"},
    "vis.intro": {"nl": "Kies per veld wie het ziet: iedereen, alleen Defensie (Business "
                        "Developers, scouts, beheer) of alleen beheer. Naam en KvK-nummer zijn "
                        "altijd openbaar.",
                  "en": "Choose per field who sees it: everyone, Defence only (Business "
                        "Developers, scouts, administrators) or administrators only. Name and "
                        "KvK number are always public."},
    "vis.public": {"nl": "openbaar", "en": "public"},
    "vis.defence": {"nl": "alleen Defensie", "en": "Defence only"},
    "vis.hidden": {"nl": "alleen beheer", "en": "administrators only"},
    "vis.save": {"nl": "Zichtbaarheid opslaan", "en": "Save visibility"},
    "vis.saved": {"nl": "Opgeslagen.", "en": "Saved."},
    "field.description": {"nl": "Omschrijving", "en": "Description"},
    "field.description_en": {"nl": "Omschrijving (Engels)", "en": "Description (English)"},
    "field.activity": {"nl": "Activiteit", "en": "Activity"},
    "field.website": {"nl": "Website", "en": "Website"},
    "field.employees": {"nl": "Medewerkers", "en": "Employees"},
    "field.sbi_code": {"nl": "SBI-code", "en": "SBI code"},
    "field.municipality": {"nl": "Gemeente", "en": "Municipality"},
    "field.capabilities": {"nl": "Capaciteiten", "en": "Capabilities"},
    "field.compliance": {"nl": "Certificeringen", "en": "Certifications"},
    "field.defence_experience": {"nl": "Defensie-ervaring", "en": "Defence experience"},
    "claims.title": {"nl": "Certificeringen en verklaringen",
                     "en": "Certifications and declarations"},
    "claims.intro": {"nl": "Geef aan wat u heeft, tot wanneer het geldt, en voeg het bewijs toe "
                           "(PDF, PNG of JPEG). Een Business Developer of beheerder verifieert "
                           "het; een wijziging vraagt om een nieuwe verificatie.",
                     "en": "State what you hold, until when it is valid, and add the evidence "
                           "(PDF, PNG or JPEG). A Business Developer or administrator verifies "
                           "it; a change needs a new verification."},
    "claims.kind": {"nl": "Soort", "en": "Kind"},
    "claims.value": {"nl": "Code of nummer (optioneel)", "en": "Code or number (optional)"},
    "claims.expires": {"nl": "Geldig tot (optioneel)", "en": "Valid until (optional)"},
    "claims.file": {"nl": "Bewijs", "en": "Evidence"},
    "claims.save": {"nl": "Verklaring opslaan", "en": "Save declaration"},
    "page.company": {"nl": "Bedrijfsprofiel", "en": "Company profile"},
    "company.intro": {"nl": "Het profiel van een bedrijf, zoals u het mag zien.",
                      "en": "A company's profile, as far as you may see it."},
    "company.kvk": {"nl": "KvK-nummer", "en": "KvK number"},
    "company.not_found": {"nl": "Geen bedrijf met dit KvK-nummer.",
                          "en": "No company with this KvK number."},
    "badge.unverified": {"nl": "niet geverifieerd", "en": "unverified"},
    "badge.synthetic": {"nl": "fictief (test)", "en": "synthetic (test)"},
    "badge.placeholder_kvk": {"nl": "KvK-nummer voorlopig", "en": "placeholder KvK number"},
    # ------------------------------------------------------------------ explore
    "explore.intro": {"nl": "Clusters, ecosystemen, kennisinstellingen en bedrijven, en hoe "
                            "ze aansluiten op de vijf NLD-gebieden.",
                      "en": "Clusters, ecosystems, knowledge institutions and companies, and "
                            "how they map onto the five NLD areas."},
    "explore.view": {"nl": "Weergave", "en": "View"},
    "explore.network": {"nl": "Netwerk", "en": "Network"},
    "explore.matrix": {"nl": "Matrix NLD × cluster", "en": "Matrix NLD × cluster"},
    "explore.map": {"nl": "Kaart", "en": "Map"},
    "explore.detail": {"nl": "Clusterdetail", "en": "Cluster detail"},
    "explore.start": {"nl": "Begin bij", "en": "Start at"},
    "explore.depth": {"nl": "Diepte", "en": "Depth"},
    "explore.show": {"nl": "Toon", "en": "Show"},
    "explore.no_clusters": {"nl": "Er staan nog geen clusters in de graaf.",
                            "en": "The graph holds no clusters yet."},
    "explore.empty_graph": {"nl": "Geen knooppunten om te tonen.", "en": "No nodes to show."},
    "explore.click_hint": {"nl": "{n} knooppunten, {e} verbindingen. Klik op een knooppunt om "
                                 "zijn buren te tonen.",
                           "en": "{n} nodes, {e} links. Click a node to show its neighbours."},
    "explore.expanded": {"nl": "Uitgeklapt: {names}.", "en": "Expanded: {names}."},
    "explore.truncated": {"nl": "Niet alles past: het netwerk is afgekapt.",
                          "en": "Not everything fits: the network was cut off."},
    "explore.expand": {"nl": "Knooppunt uitklappen", "en": "Expand node"},
    "explore.expand_hint": {"nl": "Kies een knooppunt", "en": "Choose a node"},
    "explore.expand_button": {"nl": "Uitklappen", "en": "Expand"},
    "explore.node_list": {"nl": "Lijst van knooppunten", "en": "List of nodes"},
    "explore.matrix_hint": {"nl": "✓ = het cluster bedient dit NLD-gebied; het getal is het "
                                  "aantal leden (bedrijven en ecosystemen). Leeg = geen "
                                  "verbinding.",
                            "en": "✓ = the cluster serves this NLD area; the number is its "
                                  "members (companies and ecosystems). Empty = no link."},
    "explore.basemap": {"nl": "Achtergrondkaart (alleen met internet)",
                        "en": "Background map (needs internet)"},
    "explore.map_no_companies": {"nl": "Nog geen bedrijven in Drentse gemeenten.",
                                 "en": "No companies in Drenthe's municipalities yet."},
    "explore.map_sampled": {"nl": "Bij veel bedrijven telt de kaart per gemeente de eerste "
                                  "200 knooppunten.",
                            "en": "With many companies the map counts the first 200 nodes per "
                                  "municipality."},
    "explore.map_source": {"nl": "Coördinaten: hoofdplaatsen en locaties uit de openbare "
                                 "brongegevens (ingest/data/seed). Grootte = aantal bedrijven, "
                                 "kleur = NLD-gebied.",
                           "en": "Coordinates: main towns and sites from the public source data "
                                 "(ingest/data/seed). Size = number of companies, colour = NLD "
                                 "area."},
    "explore.no_area": {"nl": "geen NLD-gebied", "en": "no NLD area"},
    "explore.cluster": {"nl": "Cluster", "en": "Cluster"},
    "explore.nld_areas": {"nl": "NLD-gebieden", "en": "NLD areas"},
    "explore.capabilities": {"nl": "Capabilities", "en": "Capabilities"},
    "explore.members": {"nl": "Bedrijven", "en": "Companies"},
    "explore.ecosystems": {"nl": "Ecosystemen", "en": "Ecosystems"},
    "explore.source": {"nl": "Bron", "en": "Source"},
    "kind.cluster": {"nl": "cluster", "en": "cluster"},
    "kind.ecosystem": {"nl": "ecosysteem", "en": "ecosystem"},
    "kind.new": {"nl": "nieuw bedrijf", "en": "new company"},
    "kind.change": {"nl": "wijziging", "en": "change"},
    "node.Cluster": {"nl": "cluster", "en": "cluster"},
    "node.Ecosystem": {"nl": "ecosysteem", "en": "ecosystem"},
    "node.KnowledgeInstitution": {"nl": "kennisinstelling", "en": "knowledge institution"},
    "node.Company": {"nl": "bedrijf", "en": "company"},
    "node.MilitaryFacility": {"nl": "militaire locatie", "en": "military site"},
    "node.Municipality": {"nl": "gemeente", "en": "municipality"},
    "node.Organisation": {"nl": "organisatie", "en": "organisation"},
    "node.NLDArea": {"nl": "NLD-gebied", "en": "NLD area"},
    "node.Capability": {"nl": "capability", "en": "capability"},
    "place.municipality": {"nl": "gemeente (hoofdplaats)", "en": "municipality (main town)"},
    "place.ecosystem": {"nl": "campus / ecosysteem", "en": "campus / ecosystem"},
    "place.institution": {"nl": "kennisinstelling", "en": "knowledge institution"},
    "place.military": {"nl": "militaire locatie", "en": "military site"},
    "col.name": {"nl": "Naam", "en": "Name"},
    "col.type": {"nl": "Soort", "en": "Type"},
    "col.status": {"nl": "Status", "en": "Status"},
    "col.submitted": {"nl": "Ingediend", "en": "Submitted"},
    "col.note": {"nl": "Toelichting", "en": "Note"},
    "col.field": {"nl": "Veld", "en": "Field"},
    "col.before": {"nl": "Nu", "en": "Now"},
    "col.after": {"nl": "Voorgesteld", "en": "Proposed"},
    # ------------------------------------------------------------------ registration
    "reg.intro": {"nl": "Vertel Defensie wat uw bedrijf kan. Na controle door de Business "
                        "Developer wordt uw profiel zichtbaar als geverifieerd.",
                  "en": "Tell Defence what your company can do. After a check by the Business "
                        "Developer your profile shows as verified."},
    "reg.known": {"nl": "Uw huidige profiel: {name}", "en": "Your current profile: {name}"},
    "reg.stale": {"nl": "Uw profiel is lang niet bevestigd. Controleer het en dien het opnieuw "
                        "in.",
                  "en": "Your profile has not been confirmed for a long time. Check it and "
                        "submit it again."},
    "reg.kvk": {"nl": "KvK-nummer", "en": "KvK number"},
    "reg.name": {"nl": "Bedrijfsnaam", "en": "Company name"},
    "reg.description": {"nl": "Omschrijving (Nederlands)", "en": "Description (Dutch)"},
    "reg.description_en": {"nl": "Omschrijving (Engels, optioneel)",
                           "en": "Description (English, optional)"},
    "reg.municipality": {"nl": "Gemeente", "en": "Municipality"},
    "reg.website": {"nl": "Website", "en": "Website"},
    "reg.employees": {"nl": "Aantal medewerkers", "en": "Employees"},
    "reg.capabilities": {"nl": "Capabilities (wat u kunt)", "en": "Capabilities (what you do)"},
    "reg.submit": {"nl": "Indienen", "en": "Submit"},
    "reg.submitted": {"nl": "Ingediend. Status: {status}.", "en": "Submitted. Status: {status}."},
    "reg.fix_fields": {"nl": "Niet ingediend: verbeter de gemarkeerde velden.",
                       "en": "Not submitted: correct the marked fields."},
    "reg.preview": {"nl": "Zo vindt Defensie u", "en": "How Defence will find you"},
    "reg.preview_empty": {"nl": "Vul een omschrijving in of kies capabilities.",
                          "en": "Enter a description or choose capabilities."},
    "reg.preview_concepts": {"nl": "Begrippen waarop u gevonden wordt",
                             "en": "Concepts you will be found by"},
    "reg.preview_themes": {"nl": "Defensie vroeg eerder naar deze onderwerpen",
                           "en": "Defence has asked about these themes"},
    "reg.preview_areas": {"nl": "In deze NLD-gebieden", "en": "In these NLD areas"},
    "reg.preview_no_questions": {"nl": "Nog geen eerdere vragen over deze begrippen.",
                                 "en": "No earlier questions about these concepts yet."},
    "reg.preview_how": {"nl": "Vragen van Defensie over deze begrippen komen bij u uit.",
                        "en": "Defence questions about these concepts will lead to you."},
    "reg.status": {"nl": "Uw aanmeldingen", "en": "Your submissions"},
    "reg.none": {"nl": "Nog geen aanmeldingen.", "en": "No submissions yet."},
    "status.pending": {"nl": "in behandeling", "en": "pending"},
    "status.approved": {"nl": "goedgekeurd", "en": "approved"},
    "status.rejected": {"nl": "afgewezen", "en": "rejected"},
    "status.None": {"nl": "onbekend", "en": "unknown"},
    # ------------------------------------------------------------------ loket
    "loket.intro": {"nl": "Een idee, aanbod of vraag voor Defensie, en wat ermee gebeurt.",
                    "en": "An idea, offer or question for Defence, and what happens to it."},
    "loket.new": {"nl": "Nieuw bericht", "en": "New message"},
    "loket.kind": {"nl": "Soort", "en": "Kind"},
    "loket.kind.idee": {"nl": "idee", "en": "idea"},
    "loket.kind.aanbod": {"nl": "aanbod", "en": "offer"},
    "loket.kind.vraag": {"nl": "vraag", "en": "question"},
    "loket.title": {"nl": "Titel", "en": "Title"},
    "loket.text": {"nl": "Toelichting", "en": "Details"},
    "loket.send": {"nl": "Versturen", "en": "Send"},
    "loket.sent": {"nl": "Verstuurd. U ziet de status hieronder.",
                   "en": "Sent. You will see its status below."},
    "loket.need_text": {"nl": "Vul een titel en een toelichting in.",
                        "en": "Enter a title and details."},
    "loket.mine": {"nl": "Mijn berichten", "en": "My messages"},
    "loket.mine_empty": {"nl": "U heeft nog niets ingestuurd.", "en": "You have sent nothing yet."},
    "loket.queue": {"nl": "Wachtrij", "en": "Queue"},
    "loket.empty": {"nl": "De wachtrij is leeg.", "en": "The queue is empty."},
    "loket.open": {"nl": "Bericht", "en": "Message"},
    "loket.rm.nld": {"nl": "NLD-gebieden", "en": "NLD areas"},
    "loket.rm.clusters": {"nl": "Clusters", "en": "Clusters"},
    "loket.rm.partners": {"nl": "Kennispartners", "en": "Knowledge partners"},
    "loket.rm.demand": {"nl": "Vergelijkbare eerdere vragen", "en": "Similar past demand"},
    "loket.rm.none": {"nl": "Nog geen verwante gebieden of partners gevonden.",
                      "en": "No related areas or partners found yet."},
    "loket.triage": {"nl": "Status bijwerken", "en": "Update status"},
    "loket.triaged": {"nl": "Status bijgewerkt.", "en": "Status updated."},
    "loket.status.new": {"nl": "nieuw", "en": "new"},
    "loket.status.in_behandeling": {"nl": "in behandeling", "en": "in progress"},
    "loket.status.doorverwezen": {"nl": "doorverwezen", "en": "referred"},
    "loket.status.afgesloten": {"nl": "afgesloten", "en": "closed"},
    # ------------------------------------------------------------------ admin
    "admin.intro": {"nl": "Aanmeldingen beoordelen, gebruikers, imports en het auditlog.",
                    "en": "Review registrations, users, imports and the audit log."},
    "admin.registrations": {"nl": "Aanmeldingen", "en": "Registrations"},
    "admin.users": {"nl": "Gebruikers", "en": "Users"},
    "admin.import": {"nl": "Import", "en": "Import"},
    "admin.audit": {"nl": "Auditlog", "en": "Audit log"},
    "admin.no_pending": {"nl": "Geen aanmeldingen die wachten.",
                         "en": "No registrations waiting."},
    "admin.pick_registration": {"nl": "Aanmelding", "en": "Registration"},
    "admin.submitted_by": {"nl": "Ingediend door {who} op {at}",
                           "en": "Submitted by {who} at {at}"},
    "admin.approve": {"nl": "Goedkeuren", "en": "Approve"},
    "admin.reject": {"nl": "Afwijzen", "en": "Reject"},
    "admin.reason": {"nl": "Reden van afwijzing", "en": "Reason for rejection"},
    "admin.need_reason": {"nl": "Geef een reden.", "en": "Give a reason."},
    "admin.approved": {"nl": "Goedgekeurd.", "en": "Approved."},
    "admin.rejected": {"nl": "Afgewezen.", "en": "Rejected."},
    "admin.new_user": {"nl": "Nieuwe gebruiker", "en": "New user"},
    "admin.role": {"nl": "Rol", "en": "Role"},
    "admin.create_user": {"nl": "Aanmaken", "en": "Create"},
    "admin.token_once": {"nl": "Het token wordt maar één keer getoond. Bewaar het veilig.",
                         "en": "The token is shown only once. Store it safely."},
    "admin.revoke_pick": {"nl": "Token intrekken van", "en": "Revoke the token of"},
    "admin.revoke": {"nl": "Intrekken", "en": "Revoke"},
    "admin.revoked": {"nl": "Ingetrokken.", "en": "Revoked."},
    "admin.import_file": {"nl": "Registerbestand (CSV of Excel)",
                          "en": "Registry file (CSV or Excel)"},
    "admin.import_mapping": {"nl": "Kolomvertaling (YAML, optioneel)",
                             "en": "Column mapping (YAML, optional)"},
    "admin.dry_run": {"nl": "Alleen controleren (niets schrijven)",
                      "en": "Check only (write nothing)"},
    "admin.import_start": {"nl": "Import starten", "en": "Start import"},
    "admin.import_running": {"nl": "Bezig met importeren…", "en": "Importing…"},
    "admin.import_done": {"nl": "Klaar.", "en": "Done."},
    "admin.rejected_download": {"nl": "Download afgewezen rijen", "en": "Download rejected rows"},
    "admin.audit_entity": {"nl": "Filter op soort (bijv. company, registration)",
                           "en": "Filter by entity (e.g. company, registration)"},
    "admin.audit_empty": {"nl": "Geen regels.", "en": "No entries."},
    "admin.page": {"nl": "Pagina", "en": "Page"},
    "admin.total": {"nl": "{n} regels in totaal", "en": "{n} entries in total"},
    # ------------------------------------------------------------------ patterns
    "patterns.intro": {"nl": "Welke vragen Defensie stelde, per week, per NLD-gebied en per "
                             "begrip.",
                       "en": "Which questions Defence asked, per week, per NLD area and per "
                             "concept."},
    "patterns.empty": {"nl": "Er zijn nog geen vragen gesteld.", "en": "No questions asked yet."},
    "patterns.total": {"nl": "Vragen", "en": "Questions"},
    "patterns.weeks": {"nl": "Weken", "en": "Weeks"},
    "patterns.english": {"nl": "In het Engels", "en": "In English"},
    "patterns.by_area": {"nl": "Vragen per NLD-gebied", "en": "Questions per NLD area"},
    "patterns.by_concept": {"nl": "Meest gevraagde begrippen", "en": "Most asked concepts"},
    "patterns.no_concepts": {"nl": "Nog geen begrippen herkend.",
                             "en": "No concepts recognised yet."},
    "patterns.week": {"nl": "Week", "en": "Week"},
    "patterns.count": {"nl": "Aantal", "en": "Count"},
    "patterns.concept": {"nl": "Begrip", "en": "Concept"},
    "patterns.list": {"nl": "Alle vragen", "en": "All questions"},
    # ------------------------------------------------------------------ sign-up (issue 20)
    "page.signup": {"nl": "Bedrijf registreren", "en": "Register your company"},
    "page.report": {"nl": "Vraag of idee insturen", "en": "Send a question or idea"},
    "page.desk": {"nl": "Balie-wachtrij", "en": "Desk queue"},
    "signup.intro": {"nl": "Vraag zelf toegang aan voor uw bedrijf. U krijgt een link per mail; "
                           "daarmee ontvangt u uw toegangstoken.",
                     "en": "Request access for your company yourself. You get a link by mail; "
                           "with it you receive your access token."},
    "signup.kvk": {"nl": "KvK-nummer (8 cijfers)", "en": "KvK number (8 digits)"},
    "signup.company": {"nl": "Bedrijfsnaam", "en": "Company name"},
    "signup.contact": {"nl": "Uw naam", "en": "Your name"},
    "signup.email": {"nl": "E-mailadres", "en": "E-mail address"},
    "signup.send": {"nl": "Link aanvragen", "en": "Request link"},
    "signup.need_all": {"nl": "Vul alle velden in.", "en": "Fill in every field."},
    "signup.mailed": {"nl": "Bekijk uw mail: de link werkt één keer, 24 uur lang.",
                      "en": "Check your mail: the link works once, for 24 hours."},
    "signup.code": {"nl": "Code uit de mail", "en": "Code from the mail"},
    "signup.verify": {"nl": "Bevestigen en token ontvangen", "en": "Confirm and get token"},
    "signup.have_code": {"nl": "Heeft u al een code?", "en": "Already have a code?"},
    "signup.token": {"nl": "Uw toegangstoken. Bewaar het goed: het wordt alleen nu getoond.",
                     "en": "Your access token. Keep it safe: it is shown only now."},
    "signup.login": {"nl": "Inloggen met dit token", "en": "Log in with this token"},
    "signup.review": {"nl": "Voor dit KvK-nummer bestaat al een account. Een beheerder "
                            "beoordeelt uw aanvraag en mailt u.",
                      "en": "This KvK number already has an account. An administrator reviews "
                            "your request and mails you."},
    "report.intro": {"nl": "Zonder account een vraag, idee of aanbod aan Defensie en haar "
                           "partners sturen. We routeren het naar de juiste balie en zeggen "
                           "waarom; na bevestiging van uw e-mailadres ziet de balie het.",
                     "en": "Send Defence and its partners a question, idea or offer without an "
                           "account. We route it to the right desk and say why; once you "
                           "confirm your e-mail address, the desk sees it."},
    "report.kvk": {"nl": "KvK-nummer (niet verplicht)", "en": "KvK number (optional)"},
    "report.sent": {"nl": "Ontvangen. Bevestig uw e-mailadres met de link in de mail; dan "
                          "gaat het naar:",
                    "en": "Received. Confirm your e-mail address with the link in the mail; "
                          "then it goes to:"},
    "report.confirm": {"nl": "Bericht bevestigen", "en": "Confirm message"},
    "report.confirmed": {"nl": "Bevestigd. De balie ziet uw bericht nu:",
                         "en": "Confirmed. The desk now sees your message:"},
    "report.desks": {"nl": "Wie zit er achter het loket?", "en": "Who is behind the desk?"},
    "desk.choose": {"nl": "Balie", "en": "Desk"},
    "desk.status": {"nl": "Status", "en": "Status"},
    "desk.all": {"nl": "alle", "en": "all"},
    "desk.reason": {"nl": "Waarom hier", "en": "Why here"},
    "desk.from": {"nl": "Afzender", "en": "Sender"},
    "desk.refer": {"nl": "Doorverwijzen naar", "en": "Refer to"},
    "desk.refer_note": {"nl": "Toelichting", "en": "Note"},
    "desk.refer_send": {"nl": "Doorverwijzen", "en": "Refer"},
    "desk.referred": {"nl": "Doorverwezen.", "en": "Referred."},
    "desk.history": {"nl": "Routering", "en": "Routing"},

}

STRINGS.update(SUPPLY_STRINGS)
STRINGS.update(MONITOR_STRINGS)


def t(key: str, lang: str = "nl", **values: Any) -> str:
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["nl"]
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text
