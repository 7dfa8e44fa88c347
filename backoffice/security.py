"""Staff login: FAB's database authentication plus account lockout, TOTP two-factor login and
server-side sessions.

Password first (rate limited by FAB's AUTH_RATE_LIMITED on this blueprint, and an account lockout after
repeated failures, counted per account whether the username or the e-mail address was typed), then — when
``STAFF_TOTP_REQUIRED`` is on — a six-digit code from the authenticator, within a pending login that is a
server-side row (``core.services.staff_sessions``): it ends after three wrong codes or five minutes, every
wrong code also counts towards the account's lockout, and a locked account is refused at the code step.
A user without a secret enrols on that second step (the secret is shown once, confirmed by a code).
Only after both steps does Flask-Login log the user in, with a new session token; ``load_user`` accepts
the admin cookie only while that token's session is live (logout and the other ends: staff_sessions.py).
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder import expose
from flask_appbuilder.api import BaseApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import Group
from flask_appbuilder.security.views import AuthDBView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_appbuilder.validators import PasswordComplexityValidationError
from flask_login import login_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired

from core.db import db, utcnow
from core.models import StaffSecurity
from core.services import audit, staff_sessions, totp
from core.services.staff_actions import staff_password_problem
from backoffice.staff_accounts import StaffUserStatsView, StaffUserView
from backoffice.staff_roles import StaffRoleView


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
PENDING_KEY = "_staff_2fa"  # token of a password-verified login waiting for its code, and ``next``
SESSION_KEY = "_staff_sid"  # token of the verified staff session (its hash is in staff_sessions)
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
                token = staff_sessions.open_session(user.id, request.remote_addr, verified=False)
                db.session.commit()
                session[PENDING_KEY] = {"token": token,
                                        "next": get_safe_redirect(request.args.get("next", ""))}
                return redirect(url_for(".two_factor"))
            else:
                return self._finish(user, get_safe_redirect(request.args.get("next", "")))
        return self.render_template(self.login_template, title=self.title, form=form,
                                    appbuilder=self.appbuilder)

    @expose("/login/2fa/", methods=["GET", "POST"])
    def two_factor(self):
        pending = session.get(PENDING_KEY) or {}
        row = staff_sessions.pending(pending.get("token"))
        user = self.appbuilder.sm.get_user_by_id(row.user_id) if row else None
        if user is None or not user.is_active:
            return self._restart("请先输入用户名和密码。")
        if self.appbuilder.sm.is_locked(user):
            staff_sessions.end(pending["token"])
            db.session.commit()
            return self._restart("登录失败次数过多，账户已暂时锁定，请15分钟后再试。")
        enrolled = totp.is_enrolled(user.id)
        secret = None if enrolled else session.setdefault(ENROL_KEY, totp.new_secret())
        form = CodeForm()
        if form.validate_on_submit():
            ok = (totp.verify(user.id, form.code.data) if enrolled
                  else totp.enroll(user.id, user.username, secret, form.code.data))
            if ok:
                staff_sessions.end(pending["token"])
                session.pop(ENROL_KEY, None)
                return self._finish(user, pending.get("next") or "")
            db.session.rollback()
            ended = staff_sessions.wrong_code(pending["token"])
            self.appbuilder.sm.count_failure(user)  # commits the wrong code too
            if ended:
                return self._restart("动态验证码错误次数过多，请重新登录。")
            form.code.errors.append("动态验证码不正确或已使用过，请输入验证器上当前显示的6位数字。")
        return self.render_template("backoffice/two_factor.html", title="双因素认证", form=form,
                                    enrolled=enrolled, secret=secret,
                                    uri=None if enrolled else totp.provisioning_uri(secret, user.username),
                                    appbuilder=self.appbuilder)

    def _restart(self, message: str):
        session.pop(PENDING_KEY, None)
        flash(message, "warning")
        return redirect(url_for(".login"))

    def _finish(self, user, next_url: str):
        session.pop(PENDING_KEY, None)
        session[SESSION_KEY] = staff_sessions.open_session(user.id, request.remote_addr, verified=True)
        row = totp.security_for(user.id)
        row.failed_logins, row.locked_until = 0, None
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
    rolemodelview = StaffRoleView  # 角色 in Chinese, read only (backoffice/staff_roles.py)
    security_api = NoTokenLogin

    def load_user(self, pk):
        """Flask-Login's loader: the admin cookie's user, only while its server-side session is live."""
        cfg = current_app.config
        row = staff_sessions.resolve(session.get(SESSION_KEY), cfg["STAFF_IDLE_TIMEOUT"],
                                     cfg["STAFF_ABSOLUTE_TIMEOUT"])
        if row is None or row.user_id != int(pk):
            return None
        return super().load_user(pk)

    def get_user_by_id(self, pk):
        """The user with their roles and groups (and the groups' roles) in one query: FAB's permission check
        reads them on every request (``get_user_roles``), which were two lazy loads after the user's own."""
        model = self.user_model
        try:
            pk = int(pk)  # Flask-Login hands the id over as the string it stored; PostgreSQL will not compare
        except (TypeError, ValueError):
            return None
        return self.session.scalars(
            select(model).where(model.id == pk)
            .options(joinedload(model.roles), joinedload(model.groups).joinedload(Group.roles))).unique().first()

    def on_user_logout(self, user):
        staff_sessions.end(session.pop(SESSION_KEY, None))
        db.session.commit()

    def reset_password(self, userid, password):
        """Own change clears 'must change'; a 国家管理员 setting someone else's password sets it (audited).
        Either way every session of that user ends; one's own continues under a new token."""
        super().reset_password(userid, password)
        row = totp.security_for(int(userid))
        own = g.user is not None and g.user.is_authenticated and g.user.id == int(userid)
        row.must_change_password = not own
        audit.record("staff.password.changed" if own else "staff.password.reset", actor_type="staff",
                     actor_id=g.user.id, actor_name=g.user.username, object_type="ab_user",
                     object_id=int(userid))
        staff_sessions.end_all(int(userid), "password", g.user)
        if own:
            session[SESSION_KEY] = staff_sessions.open_session(int(userid), request.remote_addr, verified=True)
        db.session.commit()

    def account(self, identifier: str | None):
        """The account a login names, by username or by e-mail address (FAB accepts both)."""
        if not identifier:
            return None
        return self.find_user(username=identifier) or self.find_user(email=identifier)

    def is_locked(self, user) -> bool:
        row = db.session.get(StaffSecurity, user.id)
        return bool(row and row.locked_until and row.locked_until > utcnow())

    def auth_user_db(self, username, password):
        """FAB's check, refused while the account is locked; failures counted towards the lockout of the
        account, whichever of its identifiers was typed."""
        user = self.account(username)
        if user is not None and self.is_locked(user):
            db.session.commit()
            return None
        result = super().auth_user_db(username, password)
        if user is not None and result is None:
            self.count_failure(user)
        return result

    def count_failure(self, user) -> None:
        """One failed password or code of the account (commits); the fifth locks it for 15 minutes. Only a
        complete login (``_finish``) clears the count: the right password alone does not, or wrong codes
        could be tried three at a time for ever."""
        row = totp.security_for(user.id)
        row.failed_logins += 1
        if row.failed_logins >= MAX_FAILED_LOGINS:
            row.locked_until, row.failed_logins = utcnow() + LOCKOUT, 0
            audit.record("staff.account.locked", actor_type="system", object_type="ab_user",
                         object_id=user.id)
        db.session.commit()
