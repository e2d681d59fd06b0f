"""The law the adopted CME policy cites, what is in force now, and where to read it: the one table of it.

The policy (Liverpool's, revised October 2025) still cites law that has since been replaced. The bot
follows the law in force, and says so on the `law` card; every other card cites only the current law.
"""

from __future__ import annotations

from dataclasses import dataclass

REGULATIONS = "the School Attendance (Pupil Registration) (England) Regulations 2024"
REGULATIONS_URL = "https://www.legislation.gov.uk/uksi/2024/208"
CME_GUIDANCE = "Children missing education, statutory guidance (September 2025)"
CME_GUIDANCE_URL = "https://www.gov.uk/government/publications/children-missing-education"
REMOVAL_GROUND = f"regulation 9(1)(i) of {REGULATIONS}"
DELETION_RETURN = f"regulation 13(4) of {REGULATIONS}"
SAY_LAW = "Say **law** to see each law the policy cites and what replaced it."


@dataclass(frozen=True)
class Citation:
    where: str  # the policy's section
    policy_says: str  # as the policy words it: the only place an out-of-date citation may appear
    now: str  # the law in force, as the bot follows it
    source: str  # legislation.gov.uk or gov.uk
    replaced: bool = True  # False: still in force as cited


CITATIONS: tuple[Citation, ...] = (
    Citation("3", "Education and Inspections Act 2006, section 436A: the local authority's duty to identify "
                  "children not receiving a suitable education",
             "Education Act 1996, section 436A (the policy names the Act that inserted it; the duty stands)",
             "https://www.legislation.gov.uk/ukpga/1996/56/section/436A"),
    Citation("3", "Regulations 8(f) and 8(h) of the Education (Pupil Registration) (England) Regulations 2006: "
                  "joint reasonable enquiries by the school and the local authority",
             f"Regulation 9(1)(i) of {REGULATIONS} (in force 19 August 2024): at least 20 continuous school days "
             "of unauthorised absence (codes G, N or O), no reasonable grounds to believe it is sickness or an "
             "unavoidable cause, and the school and the local authority have failed after joint reasonable "
             "enquiries to find the pupil; the other grounds of deletion are in regulation 9(1) too",
             f"{REGULATIONS_URL}/regulation/9"),
    Citation("5", "The 2016 DfE Statutory Guidance for Children Missing Education",
             f"{CME_GUIDANCE}: statutory for schools as well as local authorities", CME_GUIDANCE_URL),
    Citation("6", "The 2006 Pupil Registration Regulations, regulation 5: a pupil joins the roll from the first "
                  "day the school agreed or was notified the pupil would attend",
             f"Regulations 5 to 8 of {REGULATIONS}: registers kept electronically, entries kept for six years, "
             "the admission register records the pupil's starting day (paragraph (2)(h) of regulation 8)",
             REGULATIONS_URL),
    Citation("6", "The 1 September 2016 amendments to the Pupil Registration Regulations: tell the local "
                  "authority of every deletion and every new pupil",
             f"Regulation 13 of {REGULATIONS}: a new pupil return within five days (13(1)) and a deletion "
             "return as soon as the ground is met and no later than the deletion (13(4))",
             f"{REGULATIONS_URL}/regulation/13"),
    Citation("7", "Data Protection Act 1998: Schedule 1, Principle 1; Schedule 2, paragraphs 3 (vital interests) "
                  "and 5(d) (functions of a public nature)",
             "UK GDPR, Article 5(1)(a) (lawful, fair and transparent), Article 6(1)(d) (vital interests) and "
             "Article 6(1)(e) (public task), with the Data Protection Act 2018 (section 8)",
             "https://www.legislation.gov.uk/ukpga/2018/12/section/8"),
    Citation("8.4.3", "The Education (Pupil Registration) (England) Regulations 2006, Regulation 8 'Deletions "
                      "from Admission Register'",
             f"Regulation 9 of {REGULATIONS} (deletions; the CME ground is 9(1)(i)), with the deletion return "
             "of regulation 13(4); a name is never deleted retrospectively",
             f"{REGULATIONS_URL}/regulation/9"),
    Citation("7", "Section 27 of the Children Act 1989: help from other authorities for children in need",
             "In force as cited.", "https://www.legislation.gov.uk/ukpga/1989/41/section/27", replaced=False),
    Citation("7", "Section 7 of the Education Act 1996: the parent's duty to secure a suitable education",
             "In force as cited.", "https://www.legislation.gov.uk/ukpga/1996/56/section/7", replaced=False),
    Citation("7", "The Children Act 2004: agencies work together and share information",
             "In force as cited (sections 10 and 11).", "https://www.legislation.gov.uk/ukpga/2004/31/contents",
             replaced=False),
)

# In force since the policy's sources were written, though the policy does not cite it.
ALSO_IN_FORCE: tuple[Citation, ...] = (
    Citation("", "", "Working together to improve school attendance: statutory guidance since 19 August 2024",
             "https://www.gov.uk/government/publications/working-together-to-improve-school-attendance",
             replaced=False),
)
