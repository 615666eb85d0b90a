from django import template

from appraisal.views_assign import remove_text

register = template.Library()
register.filter("remove_text", remove_text)
