"""个人信息保护 (PIPL): the notice and consents, the candidate's copy of their data, the retention schedule and
account closure. See docs/privacy.md for the articles each part answers."""
