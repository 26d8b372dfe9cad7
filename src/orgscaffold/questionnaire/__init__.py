"""The client questionnaire: models, rules and loading (reference: docs/questionnaire.md)."""

from orgscaffold.questionnaire.load import load_questionnaire, parse_questionnaire_text, validate_questionnaire
from orgscaffold.questionnaire.models import Questionnaire

__all__ = ["Questionnaire", "load_questionnaire", "parse_questionnaire_text", "validate_questionnaire"]
