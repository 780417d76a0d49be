"""The models whose rows are data subjects (people): their audit events are "about a person".

The core names no domain model: the app that owns a person model registers its
`app_label.model` here in its AppConfig.ready() (guests registers its guest profile). The audit
screen's "events about this guest" filter and the access report's per-person scope read it.
"""

SUBJECT_OBJECT_TYPES = []


def subject_model_register(object_type):
    """Register `"app_label.modelname"` (AuditEvent.object_type) as a data-subject model."""
    if object_type not in SUBJECT_OBJECT_TYPES:
        SUBJECT_OBJECT_TYPES.append(object_type)
    return object_type


def subject_object_types():
    return tuple(SUBJECT_OBJECT_TYPES)
