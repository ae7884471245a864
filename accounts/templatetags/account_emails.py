from django import template

register = template.Library()


@register.simple_tag
def account_message(entry) -> str:
    """The message of an account e-mail (moderation decision or join request), in the active
    language."""
    from accounts.notifying import message_for

    return message_for(entry)
