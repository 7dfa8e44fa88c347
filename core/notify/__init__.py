"""通知: messages to candidates through the 消息中心, e-mail and SMS (docs/architecture.md, "Notifications").

The public API is ``core.notify.outbox.queue``; events are in ``core.notify.events``. This package file
imports nothing, so importing one of its modules never pulls in the others.
"""
