"""Choices the models and their querysets share (querysets.py cannot import models.py)."""

from django.db import models


class QualificationType(models.TextChoices):
    HTQ = "htq", "Higher Technical Qualification (HTQ)"
    HNC = "hnc", "Higher National Certificate (HNC)"
    HND = "hnd", "Higher National Diploma (HND)"
    FOUNDATION_DEGREE = "foundation-degree", "Foundation degree"
    CERT_HE = "cert-he", "Certificate of Higher Education (CertHE)"
    DIP_HE = "dip-he", "Diploma of Higher Education (DipHE)"
    HIGHER_APPRENTICESHIP = "higher-apprenticeship", "Higher apprenticeship"
    DEGREE_APPRENTICESHIP = "degree-apprenticeship", "Degree apprenticeship"
    PROFESSIONAL = "professional", "Professional or short course"
    BOOTCAMP = "bootcamp", "Skills Bootcamp"


APPRENTICESHIP_TYPES = (
    QualificationType.HIGHER_APPRENTICESHIP,
    QualificationType.DEGREE_APPRENTICESHIP,
)
