"""The accounts domain's tables. Importing this package registers all of them on ``Base.metadata``."""

from accounts.models.account import ABM_STAGES, Account, TargetList, TargetListMember
from accounts.models.activity import ACTIVITY_TYPES, Activity, Opportunity
from accounts.models.committee import CommitteeTemplate, ContactRelationship, WorkspaceSetting
from accounts.models.contact import BUYING_ROLES, COVERAGE_STATUSES, SENTIMENTS, Contact
from accounts.models.history import AccountEvent, AccountTechnology, DuplicateDismissal
from accounts.models.messaging import Message, MessageMapEntry, MessageTemplate, PainHypothesis
from accounts.models.plans import PlanSnapshot
from accounts.models.research import ResearchPage, ResearchPerson, ResearchQueueItem, ResearchRun, Signal
from accounts.models.sequences import Enrollment, Sequence, SequenceStep
from accounts.models.workspace import IcpRuleSet, ImportRun, SavedView

__all__ = [
    "ABM_STAGES", "ACTIVITY_TYPES", "AccountEvent", "AccountTechnology", "DuplicateDismissal", "IcpRuleSet",
    "ImportRun", "SavedView", "CommitteeTemplate", "ContactRelationship", "WorkspaceSetting", "BUYING_ROLES", "COVERAGE_STATUSES", "SENTIMENTS",
    "Account", "Activity", "Contact", "Enrollment", "Message", "MessageMapEntry", "MessageTemplate", "Opportunity",
    "PainHypothesis", "PlanSnapshot", "ResearchPage", "ResearchPerson", "ResearchQueueItem", "ResearchRun", "Sequence", "SequenceStep", "Signal", "TargetList", "TargetListMember",
]
