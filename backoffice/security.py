"""Staff login: FAB's database authentication plus account lockout and TOTP two-factor login.

Password first (rate limited by FAB's AUTH_RATE_LIMITED on this blueprint, and an account lockout after
repeated failures), then — when ``STAFF_TOTP_REQUIRED`` is on — a six-digit code from the authenticator.
A user without a secret enrols on that second step (the secret is shown once, confirmed by a code).
Only after both steps does Flask-Login log the user in.
"""
from __future__ import annotations

import time
from datetime import timedelta

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder import expose
from flask_appbuilder.api import BaseApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_appbuilder.validators import PasswordComplexityValidationError
from flask_login import login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired

from core.db import db, utcnow
from core.models import StaffSecurity
from core.services import audit, totp
from core.services.staff_actions import staff_password_problem
from backoffice.staff_accounts import StaffUserStatsView, StaffUserView

ALWAYS_OPEN = ("ResetMyPasswordView.", "StaffAuthDBView.", "static", "appbuilder.static")


def require_password_change():
    """before_request: a staff user whose password was set by someone else must change it first."""
    from flask_login import current_user
    if not current_user.is_authenticated or (request.endpoint or "").startswith(ALWAYS_OPEN):
        return None
    row = db.session.get(StaffSecurity, current_user.id)
    if row is not None and row.must_change_password:
        flash("请先修改您的密码（由管理员设置的密码须在首次登录后修改）。", "warning")
        return redirect(url_for("ResetMyPasswordView.this_form_get"))
    return None


MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
PENDING_KEY = "_staff_2fa"  # user id and time of a password-verified login waiting for its code
PENDING_SECONDS = 300
ENROL_KEY = "_staff_2fa_secret"


def password_complexity(password: str) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: strong staff passwords, reasons in Chinese."""
    problem = staff_password_problem(password)
    if problem:
        raise PasswordComplexityValidationError(problem)


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[InputRequired("请输入用户名。")])
    password = PasswordField("密码", validators=[InputRequired("请输入密码。")])


class CodeForm(FlaskForm):
    code = StringField("动态验证码", validators=[InputRequired("请输入6位动态验证码。")])


class StaffAuthDBView(AuthDBView):
    login_template = "backoffice/login.html"
    title = "考务人员登录"

    @expose("/login/", methods=["GET", "POST"])
    def login(self):
        if g.user is not None and g.user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_index)
        form = LoginForm()
        if form.validate_on_submit():
            user = self.appbuilder.sm.auth_user_db(form.username.data, form.password.data)
            if not user:
                form.password.errors.append("用户名或密码错误，或账户已暂时锁定。")
            elif current_app.config.get("STAFF_TOTP_REQUIRED"):
                session[PENDING_KEY] = {"uid": user.id, "at": time.time(),
                                        "next": get_safe_redirect(request.args.get("next", ""))}
                return redirect(url_for(".two_factor"))
            else:
                return self._finish(user, get_safe_redirect(request.args.get("next", "")))
        return self.render_template(self.login_template, title=self.title, form=form,
                                    appbuilder=self.appbuilder)

    @expose("/login/2fa/", methods=["GET", "POST"])
    def two_factor(self):
        pending = session.get(PENDING_KEY)
        if not pending or time.time() - pending["at"] > PENDING_SECONDS:
            session.pop(PENDING_KEY, None)
            flash("请先输入用户名和密码。", "warning")
            return redirect(url_for(".login"))
        user = self.appbuilder.sm.get_user_by_id(pending["uid"])
        if user is None or not user.is_active:
            session.pop(PENDING_KEY, None)
            return redirect(url_for(".login"))
        enrolled = totp.is_enrolled(user.id)
        secret = None if enrolled else session.setdefault(ENROL_KEY, totp.new_secret())
        form = CodeForm()
        if form.validate_on_submit():
            ok = (totp.verify(user.id, form.code.data) if enrolled
                  else totp.enroll(user.id, user.username, secret, form.code.data))
            if ok:
                db.session.commit()
                session.pop(PENDING_KEY, None)
                session.pop(ENROL_KEY, None)
                return self._finish(user, pending.get("next") or "")
            db.session.rollback()
            self.appbuilder.sm.count_failure(user)
            form.code.errors.append("动态验证码不正确或已使用过，请输入验证器上当前显示的6位数字。")
        return self.render_template("backoffice/two_factor.html", title="双因素认证", form=form,
                                    enrolled=enrolled, secret=secret,
                                    uri=None if enrolled else totp.provisioning_uri(secret, user.username),
                                    appbuilder=self.appbuilder)

    def _finish(self, user, next_url: str):
        session.pop(PENDING_KEY, None)
        login_user(user, remember=False)
        audit.record("staff.login", actor_type="staff", actor_id=user.id, actor_name=user.username,
                     object_type="ab_user", object_id=user.id)
        db.session.commit()
        return redirect(next_url or self.appbuilder.get_url_for_index)


class NoTokenLogin(BaseApi):
    """Stands in for FAB's SecurityApi, which FAB registers even with FAB_ADD_SECURITY_API off: its
    /api/v1/security/login hands out a JWT on a password alone, skipping the second factor, the CSRF
    token and the login rate limit. The back office has no REST API, so it offers no token login."""
    resource_name = "security"


class StaffSecurityManager(SecurityManager):
    authdbview = StaffAuthDBView
    userdbmodelview = StaffUserView  # its pages in Chinese (backoffice/staff_accounts.py)
    userstatschartview = StaffUserStatsView
    security_api = NoTokenLogin

    def reset_password(self, userid, password):
        """Own change clears 'must change'; a 国家管理员 setting someone else's password sets it (audited)."""
        super().reset_password(userid, password)
        row = totp.security_for(int(userid))
        own = g.user is not None and g.user.is_authenticated and g.user.id == int(userid)
        row.must_change_password = not own
        audit.record("staff.password.changed" if own else "staff.password.reset", actor_type="staff",
                     actor_id=g.user.id, actor_name=g.user.username, object_type="ab_user",
                     object_id=int(userid))
        db.session.commit()

    def auth_user_db(self, username, password):
        """FAB's check, refused while the account is locked; failures counted towards a lockout."""
        user = self.find_user(username=username) if username else None
        if user is not None:
            row = totp.security_for(user.id)
            if row.locked_until and row.locked_until > utcnow():
                db.session.commit()
                return None
        result = super().auth_user_db(username, password)
        if user is not None:
            if result is None:
                self.count_failure(user)
            else:
                row = totp.security_for(user.id)
                row.failed_logins, row.locked_until = 0, None
                db.session.commit()
        return result

    def count_failure(self, user) -> None:
        row = totp.security_for(user.id)
        row.failed_logins += 1
        if row.failed_logins >= MAX_FAILED_LOGINS:
            row.locked_until, row.failed_logins = utcnow() + LOCKOUT, 0
            audit.record("staff.account.locked", actor_type="system", object_type="ab_user",
                         object_id=user.id)
        db.session.commit()
