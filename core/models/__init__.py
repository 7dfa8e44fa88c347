"""All models, importable from one place (Alembic and the front ends import this package)."""
import flask_appbuilder.security.sqla.models  # noqa: F401  (ab_user, referenced by staff tables)
from core.models.arrangement import (ArrangementLock, ArrangementRun, ExamRoom, ExamSession, SeatAssignment,
                                     SeatMove, TicketWindow)
from core.models.audit import AuditEntry
from core.models.candidate import (Candidate, CandidateSession, Certificate, Education,
                                   Training)
from core.models.catalogue import (EligibilityRouteSetting, EligibilityRuleSetting, ExamFamily, ExamSubject,
                                   ExamYear, Fee, Region, Site)
from core.models.documents import Document, RegistrationDocument, ReviewMode
from core.models.dictionaries import (CertificateType, EthnicGroup, Major, PinyinException, School,
                                      TrainingType, WorkUnit)
from core.models.jobs import Job
from core.models.notify import KnownDevice, Message, NotifySettings
from core.models.payment import GatewayNotification, PaymentAttempt, PaymentOrder, Refund
from core.models.privacy import PrivacyConsent
from core.models.registration import Registration, RegistrationEntry
from core.models.staff import StaffScope, StaffSecurity, StaffSession

__all__ = [
    "ArrangementLock", "ArrangementRun", "ExamRoom", "ExamSession", "SeatAssignment", "SeatMove", "TicketWindow",
    "AuditEntry", "Candidate", "CandidateSession", "Certificate", "Education", "Training",
    "EligibilityRouteSetting", "EligibilityRuleSetting", "ExamFamily", "ExamSubject", "ExamYear", "Fee",
    "Region", "Site",
    "CertificateType", "EthnicGroup", "Major", "PinyinException", "School", "TrainingType", "WorkUnit",
    "GatewayNotification", "PaymentAttempt", "PaymentOrder", "Refund", "Registration",
    "RegistrationEntry", "StaffScope", "StaffSecurity", "StaffSession", "Job", "PrivacyConsent",
    "KnownDevice", "Message", "NotifySettings",
    "Document", "RegistrationDocument", "ReviewMode",
]
