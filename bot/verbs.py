"""The verbs card buttons carry, exactly as Teams sends them back (cards already posted carry these)."""

from enum import StrEnum


class Verb(StrEnum):
    HELP = "help"
    REPORT_OPEN = "report.open"
    REPORT_NEXT = "report.next"
    REPORT_BACK = "report.back"
    REPORT_CANCEL = "report.cancel"
    REPORT_SUBMIT = "report.submit"
    REFER_SUBMIT = "refer.submit"
    CASES_MORE = "cases.more"
    CASE_OPEN = "case.open"
    # The case card in a personal chat
    CASE_ENQUIRY = "case.enquiry"
    CASE_BREAK = "case.break"
    CASE_TRIAGE = "case.triage"
    CASE_OUTCOME = "case.outcome"
    CASE_AT_RISK = "case.atrisk"
    CASE_EWS = "case.ews"
    CASE_CHECKLIST_OPEN = "case.checklist.open"
    CASE_CHECKLIST = "case.checklist"
    CASE_DAY20 = "case.day20"
    CASE_REFERRAL = "case.referral"
    CASE_REMOVAL_REQUEST = "case.removal.request"
    CASE_CORRECT = "case.correct"  # a wrong detail of the child rectified (cme/rectification.py)
    # The Day 5 and Day 20 cards in a channel
    REMINDER_EWS = "reminder.ews"
    REMINDER_CHECKLIST_OPEN = "reminder.checklist.open"
    REMINDER_CHECKLIST = "reminder.checklist"
    REMINDER_DAY20 = "reminder.day20"
    REMINDER_REFERRAL = "reminder.referral"
    REMINDER_REMOVAL = "reminder.removal"
    REMINDER_OPEN = "reminder.open"
    # Removal from roll: the tracking officer's decision, the school's confirmation
    REMOVAL_AGREE = "removal.agree"
    REMOVAL_DECLINE = "removal.decline"
    REMOVAL_MORE = "removal.more"
    REMOVAL_CONFIRM = "removal.confirm"
    REMOVAL_REFRESH = "removal.refresh"  # Teams asks for the card as it now stands
    # The authority's register, and the tracking officer's outcomes for a child out of provision
    REGISTER_PAGE = "register.page"
    REGISTER_ADD = "register.add"
    REGISTER_LINK = "register.link"
    # Download links to an export (the register, the census, a return), sent to the asker's personal chat
    EXPORT_OFFER = "export.offer"
    TRACKING_SCHOOL = "tracking.school"
    TRACKING_EHE = "tracking.ehe"
    TRACKING_OTHER = "tracking.other"
    TRACKING_OUTSIDE = "tracking.outside"
    TRACKING_ABROAD = "tracking.abroad"
    TRACKING_LOST = "tracking.lost"
    TRACKING_REVIEW = "tracking.review"
    # Handing a child over to another authority (policy 8.4.2)
    HANDOFF_SEND = "handoff.send"
    HANDOFF_NOTIFIED = "handoff.notified"
    HANDOFF_ACCEPT = "handoff.accept"
    HANDOFF_WITHDRAW = "handoff.withdraw"
    HANDOFF_DECLINE = "handoff.decline"
    # The administrator's card
    ADMIN_OPEN = "admin.open"
    ADMIN_GRANT = "admin.grant"
    ADMIN_REVOKE = "admin.revoke"
    ADMIN_SCHOOL = "admin.school"
    # The deletion return (regulation 13(4)): made by the school, acknowledged by the tracking officer
    RETURN_OPEN = "return.open"
    RETURN_SUBMIT = "return.submit"
    RETURN_ACK = "return.ack"
    RETURN_SHOW = "return.show"
    # Expected starters (policy section 6): added, arrived (the new pupil return), not arrived (a CME case)
    STARTER_ADD = "starter.add"
    STARTER_ARRIVED = "starter.arrived"
    STARTER_NOT_ARRIVED = "starter.notarrived"
    STARTER_CASE = "starter.case"  # the non-arrival card in the school's reminders channel
