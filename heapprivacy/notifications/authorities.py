"""Where a subject can complain about a refusal, per jurisdiction. Each row cites its source.

A rejection must tell the subject of this right: GDPR / UK GDPR Art. 12(4) ("the reasons for
not taking action and … the possibility of lodging a complaint with a supervisory authority
and seeking a judicial remedy"); the Virginia-model laws give the subject an appeal to us
first, then the Attorney General. A jurisdiction without a row gets the fallback: its state's
Attorney General. Have counsel review this table when adding a row or changing one.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Authority:
    name: str
    url: str
    phone: str = ""


@dataclass(frozen=True)
class ComplaintRoute:
    right: str  # the sentence the rejection email states the right with
    authorities: tuple[Authority, ...]
    appeal: bool = False  # the law gives an appeal to us before the authority


EDPB_MEMBERS = Authority(
    "the European Data Protection Board's list of the member states' supervisory authorities",
    "https://www.edpb.europa.eu/about-edpb/about-edpb/members_en",
)
ICO = Authority(
    "the Information Commissioner's Office (ICO)",
    "https://ico.org.uk/make-a-complaint/",
    "0303 123 1113",
)
US_APPEAL = (
    "If you disagree with our decision, you can appeal it: reply to this email, quote your "
    "reference and tell us why. If we turn down your appeal, you can complain to the {office}."
)

ROUTES: dict[str, ComplaintRoute] = {
    # GDPR Art. 12(4), 77 (complaint to a supervisory authority, in particular in the member
    # state of habitual residence, place of work or place of the alleged infringement), 79.
    "GDPR-EU": ComplaintRoute(
        right=(
            "You have the right to lodge a complaint with a data protection supervisory "
            "authority, in particular in the EU or EEA member state where you live, where you "
            "work or where you believe your rights were infringed (GDPR Article 77), and the "
            "right to take the matter to court (Article 79)."
        ),
        authorities=(EDPB_MEMBERS,),
    ),
    # UK GDPR Art. 12(4), 77; Data Protection Act 2018 s. 165 (complaints to the Commissioner).
    "GDPR-UK": ComplaintRoute(
        right=(
            "You have the right to complain to the Information Commissioner's Office, the UK's "
            "supervisory authority (UK GDPR Article 77), and the right to take the matter to "
            "court."
        ),
        authorities=(ICO,),
    ),
    # Cal. Civ. Code § 1798.199.45 (the Agency acts on sworn and unsworn complaints) and
    # § 1798.199.90 (the Attorney General's civil enforcement); 11 CCR § 7022 (a denied
    # request to delete is explained to the consumer).
    "CCPA": ComplaintRoute(
        right=(
            "You can file a complaint with the California Privacy Protection Agency, which "
            "enforces the CCPA, and with the California Attorney General."
        ),
        authorities=(
            Authority(
                "the California Privacy Protection Agency",
                "https://cppa.ca.gov/webapplications/complaint",
            ),
            Authority(
                "the California Attorney General",
                "https://oag.ca.gov/contact/consumer-complaint-against-business-or-company",
            ),
        ),
    ),
    # Va. Code § 59.1-577(C): an appeal process; if the appeal is denied, a way to contact the
    # Attorney General to submit a complaint.
    "VCDPA": ComplaintRoute(
        right=US_APPEAL.format(office="Virginia Attorney General"),
        authorities=(
            Authority(
                "the Office of the Attorney General of Virginia (Consumer Protection Section)",
                "https://www.oag.state.va.us/",
                "1-800-552-9963",
            ),
        ),
        appeal=True,
    ),
    # C.R.S. § 6-1-1306(3): appeal; on denial, the Attorney General's contact information.
    "CPA": ComplaintRoute(
        right=US_APPEAL.format(office="Colorado Attorney General"),
        authorities=(
            Authority("the Colorado Attorney General", "https://coag.gov/file-complaint/"),
        ),
        appeal=True,
    ),
    # Conn. Gen. Stat. § 42-518: appeal; on denial, an online means to contact the Attorney
    # General to submit a complaint.
    "CTDPA": ComplaintRoute(
        right=US_APPEAL.format(office="Connecticut Attorney General"),
        authorities=(Authority("the Connecticut Attorney General", "https://portal.ct.gov/ag"),),
        appeal=True,
    ),
}
FALLBACK = ComplaintRoute(
    right=US_APPEAL.format(office="Attorney General of your state"),
    authorities=(),
    appeal=True,
)


def complaint_route(jurisdiction: str) -> ComplaintRoute:
    return ROUTES.get(jurisdiction, FALLBACK)
