"""网上缴费: fees, the payment-provider interface and its Alipay implementation, and the payment service.

``service`` holds every state transition of orders, registrations' payment status and refunds;
``provider`` is the interface a bank gateway implements; ``alipay`` is the page-pay protocol.
"""
