"""The confirmation texts of assessments.confirmations, for templates that ask before an action."""

from django import template

from assessments.confirmations import period_open_text, submit_text

register = template.Library()
register.filter("period_open_text", period_open_text)
register.filter("submit_text", submit_text)
