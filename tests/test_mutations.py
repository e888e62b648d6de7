"""Every protection the READMEs claim is a test that can fail: a mutation check.

Each mutant below breaks one protection in a fresh copy of a bake with one
small, named edit, then runs the narrow tests that claim to guard it. A
mutant that survives (its tests still pass) fails this check: the
protection could be removed with every test green.

Why a curated list rather than mutmut or cosmic-ray: both generate every
mutant their operators can make (thousands here, hours of runs), and most
of them change nothing a user relies on (a log message, a docstring). The
claim to check is narrower: *each named protection* is guarded. So each
mutant here is the one-line removal of one protection, and the list grows
with the READMEs.
"""

import shutil
from dataclasses import dataclass

import pytest
from conftest import activated, clean_environment, run_stopping_gently, selected

pytestmark = pytest.mark.baked


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    original: str
    replacement: str
    tests: tuple
    bake: str = "default"  # a key of BAKES: the capability the protection comes with

    def __str__(self):
        return self.name


MUTANTS = [
    Mutant(
        "re-login re-keys the session",
        "session_security/receivers.py",
        "        session.cycle_key()\n",
        "        pass\n",
        (
            "tests/accounts/test_login_logout.py::test_signing_in_again_over_a_live_session_rotates_the_key",
        ),
    ),
    Mutant(
        "logout ends the registry row",
        "session_security/receivers.py",
        'records.end(record, "logout", state.now)',
        "None",
        (
            "tests/accounts/test_login_logout.py::test_logout_ends_the_session_for_a_captured_cookie",
        ),
    ),
    Mutant(
        "idle timeout",
        "session_security/policy.py",
        "if (now - record.last_seen_at).total_seconds() >= self.idle_timeout:",
        "if False:",
        ("tests/session_security/test_timeouts.py::test_idle_session_ends",),
    ),
    Mutant(
        "absolute timeout",
        "session_security/policy.py",
        "if now >= record.expires_at:",
        "if False:",
        (
            "tests/session_security/test_timeouts.py::test_absolute_lifetime_is_not_extended_by_activity",
        ),
    ),
    Mutant(
        "an ended row ends the session (signed cookies too)",
        "session_security/policy.py",
        "if record.ended_at is not None:",
        "if False:",
        (
            "tests/session_security/registry/test_revocation.py::test_end_one_session_from_the_list_stops_it_at_once",
        ),
    ),
    Mutant(
        "the rotation grace ends",
        "session_security/policy.py",
        "since_rotation <= self.rotation_grace:",
        "True:",
        (
            "tests/session_security/test_rotation.py::test_previous_key_works_during_grace_and_not_after",
        ),
    ),
    Mutant(
        "the grace is read-only",
        "session_security/middleware/sessions.py",
        "if not state.grace or request.method in SAFE_METHODS",
        "if True or request.method in SAFE_METHODS",
        (
            "tests/session_security/test_rotation.py::test_the_previous_key_cannot_write_during_its_grace",
        ),
    ),
    Mutant(
        "IP binding",
        "session_security/policy.py",
        'found.append("ip")',
        "pass",
        ("tests/session_security/test_binding.py",),
    ),
    Mutant(
        "a device-bound session needs its bound cookie",
        "session_security/policy.py",
        "        if not possession_proven:\n",
        "        if False:\n",
        (
            "tests/session_security/device_binding/test_device_binding.py::test_the_session_cookie_alone_is_refused_once_bound",
        ),
    ),
    Mutant(
        "a bound session's proof is its bound cookie",
        "session_security/device_binding/middleware.py",
        "return False if age is None else age",
        "return age",
        (
            "tests/session_security/device_binding/test_device_binding.py::test_the_session_cookie_alone_is_refused_once_bound",
        ),
    ),
    Mutant(
        "a bound cookie belongs to one session",
        "session_security/device_binding/protocol.py",
        "if owner != str(record.pk):",
        "if False:",
        (
            "tests/session_security/device_binding/test_device_binding.py::test_a_bound_cookie_of_another_session_is_worth_nothing",
        ),
    ),
    Mutant(
        "sudo mode: the window",
        "session_security/recent_auth.py",
        "return state.now - state.record.reauthenticated_at < window",
        "return True",
        (
            "tests/accounts/test_sudo_mode.py::test_a_thief_with_an_old_session_cannot_end_the_owners_sessions",
        ),
    ),
    Mutant(
        "sudo mode on ending one session",
        "accounts/views.py",
        "@require_POST\n@recent_auth_required\ndef end_session(",
        "@require_POST\ndef end_session(",
        (
            "tests/accounts/test_sudo_mode.py::test_a_thief_with_an_old_session_cannot_end_the_owners_sessions",
        ),
    ),
    Mutant(
        "sudo mode on signing out everywhere",
        "accounts/views.py",
        "@require_POST\n@recent_auth_required\ndef sign_out_everywhere(",
        "@require_POST\ndef sign_out_everywhere(",
        (
            "tests/accounts/test_sudo_mode.py::test_a_thief_with_an_old_session_cannot_end_the_owners_sessions",
        ),
    ),
    Mutant(
        "an action confirmed on the spot needs the right password",
        "accounts/confirmation.py",
        "if answered and form.is_valid():",
        "if answered:",
        (
            "tests/accounts/test_sudo_mode.py::test_a_thief_with_an_old_session_cannot_end_the_owners_sessions",
        ),
    ),
    Mutant(
        "the password change proves the current password",
        "accounts/forms.py",
        "if not password_matches(self.request, self.user, old_password):",
        "if False:",
        ("tests/accounts/test_sudo_mode.py::test_the_password_change_asks_for_the_password_once",),
    ),
    Mutant(
        "a stale cookie learns only that its session ended",
        "session_security/policy.py",
        '        return (self.timed_out(record, now) if record is not None else "") or "ended"\n',
        "        return reason\n",
        (
            "tests/session_security/test_signed_out.py::test_a_stale_cookie_learns_only_that_its_session_ended",
        ),
    ),
    Mutant(
        "an ended session the clock would have ended reads as that timeout",
        "session_security/policy.py",
        '        return (self.timed_out(record, now) if record is not None else "") or "ended"\n',
        '        return "ended"\n',
        (
            "tests/session_security/test_signed_out.py::test_an_ended_session_past_its_idle_time_reads_as_a_timeout",
        ),
    ),
    Mutant(
        "a password change raises the epoch",
        "session_security/registry/revocation.py",
        "    raise_epoch(user)\n    count = records.end_all(user, event",
        "    count = records.end_all(user, event",
        (
            "tests/session_security/registry/test_privilege_changes.py::test_every_password_change_raises_the_epoch",
        ),
    ),
    Mutant(
        "garbled keys never reach the store",
        "session_security/storage/base.py",
        'VALID_KEY = re.compile(r"[a-z0-9]{32}")',
        'VALID_KEY = re.compile(r"[a-zA-Z0-9]{32}")',
        (
            "tests/session_security/test_request_cost.py::test_a_garbled_session_key_never_reaches_the_store",
        ),
    ),
    Mutant(
        "the signed registry id, not the stored link, names the row",
        "session_security/registry/records.py",
        "if record is not None and record.pk == record_id:",
        "if record is not None:",
        (
            "tests/session_security/storage/test_stored_sessions.py::test_a_link_to_another_row_is_not_trusted",
        ),
    ),
    Mutant(
        "the session auth hash is checked",
        "session_security/middleware/authentication.py",
        "if constant_time_compare(session_hash, current):",
        "if True:",
        ("tests/session_security/test_authentication.py",),
    ),
    Mutant(
        "the authentication middleware needs a session middleware in front, as Django's",
        "session_security/middleware/authentication.py",
        "super().process_request(request)",
        "None",
        ("tests/session_security/test_django_contract.py::test_django_session_tests_pass[auth]",),
    ),
    Mutant(
        "inactive users are refused",
        "session_security/middleware/authentication.py",
        "if not backend.user_can_authenticate(user):",
        "if False:",
        ("tests/session_security/test_authentication.py",),
    ),
    Mutant(
        "throttling locks the pair, not the username",
        "config/settings.py",
        'AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]',
        'AXES_LOCKOUT_PARAMETERS = ["username"]',
        ("tests/accounts/test_throttling.py",),
    ),
    Mutant(
        "throttling folds the username's case",
        "accounts/throttling.py",
        "return username_key(username)[:USERNAME_LENGTH]",
        "return str(username)[:USERNAME_LENGTH]",
        ("tests/accounts/test_throttling.py",),
    ),
    Mutant(
        "password-reset requests are limited per address",
        "accounts/password_reset.py",
        "> settings.PASSWORD_RESET_ADDRESS_LIMIT\n",
        "> 10**9\n",
        (
            "tests/accounts/test_password_reset_throttling.py::test_n_plus_one_requests_for_one_address_send_n_mails",
        ),
    ),
    Mutant(
        "without Redis, every process shares the rate counts",
        "session_security/counters.py",
        "    return database_hit(key, window, now)\n",
        "    return cache_hit(key, window)  # each process's own memory\n",
        (
            "tests/accounts/test_password_reset_workers.py::test_two_workers_without_redis_send_n_mails_for_n_plus_one_requests",
        ),
    ),
    Mutant(
        "a rate count in the database is one atomic statement",
        "session_security/counters.py",
        "    return execute(connection, sql, params)  # autocommit: the statement is its own transaction\n",
        "    row = RateCounter.objects.filter(pk=key, window_ends_at__gt=now).first()  # read\n"
        "    count = row.count + 1 if row else 1  # then write, as DatabaseCache.incr does\n"
        "    ends = row.window_ends_at if row else now + datetime.timedelta(seconds=window)\n"
        '    RateCounter.objects.update_or_create(pk=key, defaults={"count": count, "window_ends_at": ends})\n'
        "    return count\n",
        (
            "tests/session_security/test_counters.py::test_processes_hitting_one_key_at_once_get_every_count_once",
        ),
    ),
    Mutant(
        "usernames are unique regardless of case, in the database",
        "accounts/migrations/0003_username_key.py",
        'fields=("username_key",),',
        'fields=("username_key", "id"),',
        (
            "tests/accounts/test_usernames.py::test_the_manager_and_the_database_refuse_a_look_alike",
        ),
    ),
    Mutant(
        "the username key case-folds beyond ASCII (not lower())",
        "accounts/usernames.py",
        ".casefold()",
        ".lower()",
        (
            "tests/accounts/test_username_keys.py::test_the_second_of_a_pair_is_refused_by_the_form_and_the_database",
        ),
    ),
    Mutant(
        "sign-in takes any case of the name",
        "accounts/models.py",
        "return self.get(username_key=username_key(username))",
        "return self.get(username=username)",
        ("tests/accounts/test_usernames.py::test_sign_in_with_any_case_of_the_name",),
    ),
    Mutant(
        "a store subclass's own session model is the one read",
        "session_security/storage/db.py",
        "        if self.get_model_class() is not Session:",
        "        if False:",
        ("tests/session_security/test_django_contract.py::test_django_session_tests_pass[db]",),
    ),
    Mutant(
        "a changed compiler shape falls back to the ORM, not to an error",
        "session_security/storage/joined_read.py",
        "            Fallback.turn_on(self, error)\n            return row\n",
        "            raise\n",
        (
            "tests/session_security/storage/test_compiled_read_fallback.py::test_sign_in_and_signed_in_requests_work_through_the_orm",
        ),
    ),
    Mutant(
        "no raw session keys in the audit log",
        "session_security/audit.py",
        '"session": key_hash(session_key)',
        '"session": session_key or "-"',
        ("tests/session_security/test_audit.py::test_session_events_are_logged_without_raw_keys",),
    ),
    Mutant(
        "a session store refusing TLS or the password is logged naming CACHE_URL",
        "session_security/middleware/responses.py",
        "        detail=str(error),",
        "",
        (
            "tests/session_security/storage/test_redis_tls.py::test_a_redis_that_cannot_be_trusted_fails_closed_naming_cache_url",
        ),
    ),
    Mutant(
        "a database refusing the connection is logged naming DATABASE_URL",
        "session_security/unreachable.py",
        "    if alias is not None:",
        "    if False:",
        (
            "tests/config/test_postgresql_tls.py::test_a_database_that_cannot_be_trusted_stops_start_up_and_requests",
        ),
    ),
    Mutant(
        "the Sentinels get their own password",
        "scale_out/sentinel.py",
        'sentinel_options |= target["sentinel"] | target["tls"]',
        'sentinel_options |= target["tls"]',
        ("tests/scale_out/test_sentinel_tls.py::test_sentinel_with_passwords_and_tls_signs_in",),
        bake="scale_out",
    ),
    Mutant(
        "the Sentinels are reached over TLS",
        "scale_out/sentinel.py",
        'sentinel_options |= target["sentinel"] | target["tls"]',
        'sentinel_options |= target["sentinel"]',
        ("tests/scale_out/test_sentinel_tls.py::test_sentinel_with_passwords_and_tls_signs_in",),
        bake="scale_out",
    ),
    Mutant(
        "the primary found through Sentinel is reached over TLS",
        "scale_out/sentinel.py",
        '                **target["tls"],  # ssl=True: SentinelManagedSSLConnection\n',
        "",
        ("tests/scale_out/test_sentinel_tls.py::test_sentinel_with_passwords_and_tls_signs_in",),
        bake="scale_out",
    ),
    Mutant(
        "an unknown Sentinel URL option stops start-up",
        "scale_out/sentinel.py",
        "        if name not in allowed:",
        "        if False:",
        (
            "tests/scale_out/test_cache_topology.py::test_a_wrong_cache_url_stops_start_up_naming_it",
        ),
        bake="scale_out",
    ),
    Mutant(
        "uvicorn's unit leaves X-Forwarded-For to Django",
        "deploy/systemd/my_service-uvicorn.service",
        "    --no-proxy-headers \\\n",
        "",
        (
            "tests/deploy/test_nginx.py::test_the_app_server_reads_no_forwarded_header_itself[uvicorn]",
        ),
    ),
    Mutant(
        "the nginx site tells the app the request came over HTTPS",
        "deploy/nginx/my_service.conf",
        "        proxy_set_header X-Forwarded-Proto $scheme;\n",
        "",
        (
            "tests/deploy/test_nginx.py::test_plain_http_is_redirected_and_https_carries_hsts[gunicorn]",
        ),
    ),
    Mutant(
        "the nginx site appends the client's address to X-Forwarded-For",
        "deploy/nginx/my_service.conf",
        "X-Forwarded-For $proxy_add_x_forwarded_for;",
        "X-Forwarded-For $http_x_forwarded_for;",
        (
            "tests/deploy/test_nginx.py::test_the_session_list_shows_the_client_address_not_a_forged_one[gunicorn]",
        ),
    ),
    Mutant(
        "a pooled connection PostgreSQL dropped is checked before a request gets it",
        "config/environment.py",
        '"check": ConnectionPool.check_connection,',
        '"check": None,',
        (
            "tests/config/test_database_pool.py::test_a_pooled_connection_postgresql_dropped_is_replaced_before_a_request_gets_it",
        ),
    ),
    Mutant(
        "the pool and persistent connections are refused together at start-up",
        "config/environment.py",
        'if mode == "on" and max_age:',
        "if False:",
        (
            "tests/config/test_database_pool.py::test_uvicorn_refuses_the_pool_with_persistent_connections_at_start_up",
        ),
    ),
    Mutant(
        "uvicorn pools PostgreSQL connections by default",
        "config/asgi.py",
        'os.environ.setdefault("DJANGO_DB_POOL", "auto")',
        'os.environ.setdefault("DJANGO_DB_POOL", "off")',
        (
            "tests/config/test_database_pool.py::test_under_uvicorn_the_pool_reuses_connections_where_each_request_opened_one",
        ),
    ),
    Mutant(
        "the joined read converts columns as the ORM does",
        "session_security/storage/joined_read.py",
        "        row = compiled.converted(row, connection)\n",
        "        row = list(row)\n",
        (
            "tests/session_security/storage/test_joined_read_differential.py::test_differential_joined_session_read_matches_select_related",
        ),
    ),
    Mutant(
        "the joined read leaves a missing related row out, as select_related does",
        "session_security/storage/joined_read.py",
        "if values[node.pk_index] is not None:",
        "if True:",
        (
            "tests/session_security/storage/test_joined_read_differential.py::test_differential_joined_session_read_matches_select_related",
        ),
    ),
    Mutant(
        "verify serves an inactive user anonymously, as get_user does",
        "session_security/middleware/authentication.py",
        "    if not backend.user_can_authenticate(user):",
        "    if False:",
        (
            "tests/session_security/test_authentication_differential.py::test_differential_verify_matches_django_get_user",
        ),
    ),
    Mutant(
        "the session cookie carries Django's attributes (HttpOnly)",
        "session_security/middleware/cookies.py",
        "        httponly=settings.SESSION_COOKIE_HTTPONLY or None,\n",
        "",
        (
            "tests/session_security/test_finish_differential.py::test_differential_finish_matches_django_process_response",
        ),
    ),
    Mutant(
        "a page that never read the session does not vary on Cookie, as in Django",
        "session_security/middleware/cookies.py",
        "    if accessed or state.cookie_deleted or save:",
        "    if session.accessed or state.cookie_deleted or save:",
        (
            "tests/session_security/test_finish_differential.py::test_differential_finish_matches_django_process_response",
        ),
    ),
    Mutant(
        "the unverified record id is read from compressed session data too",
        "session_security/storage/base.py",
        'signing.b64_decode(payload.removeprefix(".").encode())',
        "signing.b64_decode(payload.encode())",
        (
            "tests/session_security/storage/test_signing_differential.py::test_differential_unverified_record_id_reads_what_signing_loads_verifies",
        ),
    ),
    Mutant(
        "the bound cookie's age is the one signing enforces",
        "session_security/device_binding/protocol.py",
        'value.rsplit(":", 2)[1]',
        'value.rsplit(":", 2)[2]',
        (
            "tests/session_security/device_binding/test_cookie_age_differential.py::test_differential_bound_cookie_age_is_the_age_signing_enforces",
        ),
    ),
    Mutant(
        "the Sentinel pool uses the URL's database, as master_for does",
        "scale_out/sentinel.py",
        '                db=target["db"],\n',
        "",
        (
            "tests/scale_out/test_sentinel_differential.py::test_differential_sentinel_pool_has_the_options_master_for_gives",
        ),
        bake="scale_out",
    ),
    Mutant(
        "sign-in alert: only a new browser mails, not the first",
        "session_security/sign_in_alerts/recognition.py",
        '    return "first" if first else "new"\n',
        '    return "new"\n',
        (
            "tests/session_security/sign_in_alerts/test_alerts.py::test_the_first_sign_in_of_an_account_sends_nothing",
        ),
    ),
    Mutant(
        "sign-in alert: a known browser is known per account",
        "session_security/sign_in_alerts/recognition.py",
        'f"{user.pk}:{browser}"',
        'f"{browser}"',
        (
            "tests/session_security/sign_in_alerts/test_alerts.py::test_a_browser_known_to_one_account_is_new_to_another",
        ),
    ),
    Mutant(
        "sign-in alert: a forged browser cookie is no browser",
        "session_security/sign_in_alerts/recognition.py",
        "        return signing.Signer(salt=COOKIE_SALT).unsign(value)\n",
        "        return value.rsplit(':', 1)[0]\n",
        (
            "tests/session_security/sign_in_alerts/test_alerts.py::test_clearing_cookies_or_forging_the_cookie_makes_the_browser_new",
        ),
    ),
    Mutant(
        "sign-in alert: mails are throttled per account",
        "session_security/sign_in_alerts/mail.py",
        "    if number > ALERT_LIMIT + 1:\n",
        "    if number > ALERT_LIMIT + 100:\n",
        (
            "tests/session_security/sign_in_alerts/test_alerts.py::test_a_burst_sends_the_limit_then_one_summary",
        ),
    ),
    Mutant(
        "sign-in alert: the mail leaves after the response",
        "session_security/sign_in_alerts/middleware.py",
        "response._resource_closers.append(lambda: mail.send_later(message))",
        "mail.send(message)",
        (
            "tests/session_security/sign_in_alerts/test_servers.py::test_a_failing_mail_server_delays_no_sign_in",
        ),
    ),
    Mutant(
        "sign-in alert: a GET of the link ends nothing",
        "session_security/sign_in_alerts/views.py",
        '    if request.method == "GET":\n',
        '    if request.method == "HEAD":\n',
        (
            "tests/session_security/sign_in_alerts/test_links.py::test_a_get_of_the_link_ends_nothing",
        ),
    ),
    Mutant(
        "sign-in alert: the link ends only its session",
        "session_security/sign_in_alerts/views.py",
        "    revocation.end_session(record, REASON, state.now)\n",
        "    revocation.end_other_sessions(record.user, None, REASON, state.now)\n",
        (
            "tests/session_security/sign_in_alerts/test_links.py::test_the_button_ends_that_session_only_and_works_once",
        ),
    ),
    Mutant(
        "sign-in alert: the link works once",
        "session_security/sign_in_alerts/views.py",
        "    if alert.link_used_at is not None:\n",
        "    if False:\n",
        (
            "tests/session_security/sign_in_alerts/test_links.py::test_the_button_ends_that_session_only_and_works_once",
        ),
    ),
    Mutant(
        "sign-in alert: a link of an ended session says so",
        "session_security/sign_in_alerts/views.py",
        "    if not SessionRecord.objects.active(state.now).filter(pk=record.pk).exists():\n",
        "    if False:\n",
        (
            "tests/session_security/sign_in_alerts/test_links.py::test_a_link_for_an_ended_session_says_so",
        ),
    ),
    Mutant(
        "sign-in alert: the link is signed with its own salt",
        "session_security/sign_in_alerts/links.py",
        "        data = signing.loads(token, salt=SALT, max_age=settings.SESSION_COOKIE_AGE)\n",
        "        data = signing.loads(token, max_age=settings.SESSION_COOKIE_AGE)\n",
        ("tests/session_security/sign_in_alerts/test_links.py::test_an_altered_link_is_refused",),
    ),
    Mutant(
        "sign-in alert: the link expires with the session",
        "session_security/sign_in_alerts/links.py",
        "salt=SALT, max_age=settings.SESSION_COOKIE_AGE)",
        "salt=SALT)",
        (
            "tests/session_security/sign_in_alerts/test_links.py::test_a_link_expires_with_the_sessions_lifetime",
        ),
    ),
    Mutant(
        "sign-in alert: the new browser cannot clear its own mark",
        "session_security/sign_in_alerts/listing.py",
        '        if row["new_browser"] and row["record"].pk != current:\n',
        '        if row["new_browser"]:\n',
        (
            "tests/session_security/sign_in_alerts/test_list.py::test_the_list_marks_a_new_browsers_session_until_the_owner_has_seen_it",
        ),
    ),
    Mutant(
        "sign-in alert: the link's signature is checked",
        "session_security/sign_in_alerts/links.py",
        "        data = signing.loads(token, salt=SALT, max_age=settings.SESSION_COOKIE_AGE)\n",
        '        data = __import__("json").loads(signing.b64_decode(token.split(":")[0].encode()))\n',
        ("tests/session_security/sign_in_alerts/test_links.py::test_an_altered_link_is_refused",),
    ),
    Mutant(
        "sign-in alert: the link's user must own its session",
        "session_security/sign_in_alerts/views.py",
        "record_id=record_id, record__user_id=user_id",
        "record_id=record_id",
        (
            "tests/session_security/sign_in_alerts/test_links.py::test_a_signed_link_naming_another_session_or_user_is_refused",
        ),
    ),
    Mutant(
        "sign-in alert: the link names its one session",
        "session_security/sign_in_alerts/views.py",
        "record_id=record_id, record__user_id=user_id",
        "record__user_id=user_id",
        (
            "tests/session_security/sign_in_alerts/test_links.py::test_a_signed_link_naming_another_session_or_user_is_refused",
        ),
    ),
    Mutant(
        "sign-in alert: a stalled mail server holds the thread for MAIL_TIMEOUT at most",
        "session_security/sign_in_alerts/mail.py",
        "            connection.timeout = MAIL_TIMEOUT\n",
        "            pass\n",
        (
            "tests/session_security/sign_in_alerts/test_alerts.py::test_a_stalling_mail_server_holds_the_thread_for_mail_timeout_at_most",
        ),
    ),
    Mutant(
        "sign-in alert: the sign-out keeps the browser known",
        "session_security/sign_in_alerts/middleware.py",
        "                kept.carry(request, response)\n",
        "                pass\n",
        (
            "tests/session_security/sign_in_alerts/test_sign_out.py::test_signing_out_keeps_the_browser_known",
        ),
    ),
    Mutant(
        "sign-in alert: the sign-out's pass works once",
        "session_security/sign_in_alerts/kept.py",
        "MAX_AGE * 2, state.now) != 1:",
        "MAX_AGE * 2, state.now) < 1:",
        (
            "tests/session_security/sign_in_alerts/test_sign_out.py::test_the_pass_works_once_and_only_to_this_site",
        ),
    ),
    Mutant(
        "sign-in alert: the sign-out's pass redirects only within the site",
        "session_security/sign_in_alerts/views.py",
        'HttpResponseRedirect(following if kept.local(following) else "/")',
        "HttpResponseRedirect(following)",
        (
            "tests/session_security/sign_in_alerts/test_sign_out.py::test_the_pass_works_once_and_only_to_this_site",
        ),
    ),
    Mutant(
        "sign-in alert: the sign-out's pass lasts a minute",
        "session_security/sign_in_alerts/kept.py",
        "salt=SALT, max_age=MAX_AGE)",
        "salt=SALT)",
        ("tests/session_security/sign_in_alerts/test_sign_out.py::test_the_pass_lasts_a_minute",),
    ),
    Mutant(
        "sign-in alert: the sign-out's pass is taken from its own address only",
        "session_security/sign_in_alerts/kept.py",
        "    if ip != state.ip:\n",
        "    if False:\n",
        (
            "tests/session_security/sign_in_alerts/test_sign_out.py::test_the_pass_is_taken_only_from_its_address_in_its_own_redirect",
        ),
    ),
    Mutant(
        "sign-in alert: the sign-out's pass is taken in a same-origin navigation only",
        "session_security/sign_in_alerts/kept.py",
        '    if request.headers.get("Sec-Fetch-Site") != "same-origin":\n',
        "    if False:\n",
        (
            "tests/session_security/sign_in_alerts/test_sign_out.py::test_the_pass_is_taken_only_from_its_address_in_its_own_redirect",
        ),
    ),
    Mutant(
        "allauth: each sign-in step a new key",
        "accounts/allauth_bridge/receivers.py",
        "    request.session.cycle_key()\n",
        "    pass\n",
        (
            "tests/accounts/allauth_bridge/test_sign_in_steps.py::test_a_key_planted_before_the_password_holds_nothing_after_it",
        ),
        bake="allauth",
    ),
    Mutant(
        "allauth: a step from another account's session gets a new key too",
        "accounts/allauth_bridge/receivers.py",
        "if request.user.is_authenticated and request.user.pk == user.pk:",
        "if request.user.is_authenticated:",
        (
            "tests/accounts/allauth_bridge/test_sign_in_steps.py::test_a_key_signed_in_to_another_account_is_replaced_at_the_password",
        ),
        bake="allauth",
    ),
    Mutant(
        "allauth: a re-authentication on its pages opens the layer's window",
        "accounts/allauth_bridge/receivers.py",
        "        recent_auth.confirmed(request)\n",
        "        pass\n",
        (
            "tests/accounts/allauth_bridge/test_one_sudo_mode.py::test_allauths_password_confirmation_opens_the_projects_window",
        ),
        bake="allauth",
    ),
    Mutant(
        "allauth: the layer's window decides on its pages",
        "accounts/allauth_bridge/adapter.py",
        "return not recent_auth.is_recent(context.request)",
        "return False",
        (
            "tests/accounts/allauth_bridge/test_one_sudo_mode.py::test_a_stolen_cookie_gets_no_sensitive_allauth_page",
        ),
        bake="allauth",
    ),
    Mutant(
        "allauth: its own record of a re-authentication never suffices",
        "config/settings.py",
        "ACCOUNT_REAUTHENTICATION_TIMEOUT = 0",
        "ACCOUNT_REAUTHENTICATION_TIMEOUT = 300",
        (
            "tests/accounts/allauth_bridge/test_one_sudo_mode.py::test_the_window_closes_for_both_at_once",
        ),
        bake="allauth",
    ),
    Mutant(
        "allauth: the second factor's codes are limited per account",
        "config/settings.py",
        'ACCOUNT_REAUTHENTICATION_METHODS = ["password", "mfa"]',
        'ACCOUNT_REAUTHENTICATION_METHODS = ["password", "mfa"]\nACCOUNT_RATE_LIMITS = {"login_failed": None}',
        (
            "tests/accounts/allauth_bridge/test_one_throttle.py::test_the_second_factors_codes_are_limited_per_account",
        ),
        bake="allauth",
    ),
    Mutant(
        "allauth: its password confirmation is answered as the sign-in page's",
        "accounts/allauth_bridge/adapter.py",
        "return password_matches(context.request, user, password)",
        "return super().reauthenticate(user, password)",
        (
            "tests/accounts/allauth_bridge/test_one_throttle.py::test_allauths_confirmation_alone_locks_like_the_sign_in_page",
        ),
        bake="allauth",
    ),
    Mutant(
        "allauth: its password confirmation is counted by the lockout",
        "accounts/allauth_bridge/adapter.py",
        "return password_matches(context.request, user, password)",
        "return user.check_password(password)",
        (
            "tests/accounts/allauth_bridge/test_one_throttle.py::test_guesses_on_allauths_confirmation_and_the_sign_in_page_add_up",
        ),
        bake="allauth",
    ),
    Mutant(
        "allauth: the password hands over to its steps",
        "accounts/allauth_bridge/views.py",
        "return hand_over(self.request, form.get_user(), self.get_success_url())",
        "return super().form_valid(form)",
        (
            "tests/accounts/allauth_bridge/test_sign_in_steps.py::test_a_wrong_code_leaves_nobody_signed_in",
        ),
        bake="allauth",
    ),
    Mutant(
        "allauth: an account that signed up proves its address first",
        "accounts/allauth_bridge/views.py",
        'verification = "mandatory" if EmailAddress.objects.filter(user=user).exists() else "none"',
        'verification = "none"',
        (
            "tests/accounts/allauth_bridge/test_sign_in_steps.py::test_an_unverified_account_gets_a_mail_not_a_session",
        ),
        bake="allauth",
    ),
    Mutant(
        "allauth: the password change at its path is the project's",
        "accounts/allauth_bridge/urls.py",
        '    path("password/change/", views.PasswordChangeView.as_view()),\n',
        "",
        (
            "tests/accounts/allauth_bridge/test_sign_out_and_password.py::test_allauths_password_change_keeps_this_session_under_a_new_key",
        ),
        bake="allauth",
    ),
    Mutant(
        "allauth: sign-up compares names by the username key",
        "accounts/allauth_bridge/adapter.py",
        "if not shallow and User.objects.filter(username_key=username_key(username)).exists():",
        "if False:",
        (
            "tests/accounts/allauth_bridge/test_sign_out_and_password.py::test_sign_up_refuses_a_name_that_differs_only_by_case_or_width",
        ),
        bake="allauth",
    ),
    Mutant(
        "allauth: the signed-cookie engine is refused",
        "accounts/allauth_bridge/checks.py",
        'return [SIGNED_COOKIES] if settings.SESSION_ENGINE_NAME == "signed_cookies" else []',
        "return []",
        (
            "tests/accounts/allauth_bridge/test_configuration.py::test_signed_cookies_are_refused_by_the_check",
        ),
        bake="allauth",
    ),
]

# The bakes the mutants break: name -> (the bake's cache key, its answers).
BAKES = {
    "default": ("db", {"session_engine": "db"}),
    "scale_out": ("db-scale-out", {"session_engine": "db", "scale_out": "yes"}),
    "allauth": ("db-allauth", {"session_engine": "db", "allauth": "yes"}),
}


def mutant_run(mutant, source, project, baked_python):
    """A function breaking ``mutant``'s protection in a copy of ``source`` at ``project``
    and running its tests: their completed process, or None if the code is not there once."""

    def run():
        shutil.copytree(source, project)
        target = project / mutant.path
        code = target.read_text()
        if code.count(mutant.original) != 1:
            return None
        target.write_text(code.replace(mutant.original, mutant.replacement))
        return run_stopping_gently(
            [baked_python, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-x", *mutant.tests],
            cwd=project,
            env=activated(clean_environment(), baked_python),
            timeout=600,
        )

    return run


def start_ahead(request):
    """Start every selected mutant's run (``ahead``), after the suites started before."""
    mutants = selected(request, "test_no_mutant_survives", "mutant")
    if not mutants:
        return
    baked_projects, ahead = (
        request.getfixturevalue("baked_projects"),
        request.getfixturevalue("ahead"),
    )
    baked_python = request.getfixturevalue("baked_python")
    mutants_dir = request.getfixturevalue("mutants_dir")
    for mutant in mutants:
        ahead(
            ("mutant", mutant.name), mutant_start(mutant, baked_projects, baked_python, mutants_dir)
        )


def mutant_start(mutant, baked_projects, baked_python, mutants_dir):
    project = mutants_dir / f"mutant-{MUTANTS.index(mutant)}"
    return mutant_run(mutant, baked_projects(*BAKES[mutant.bake]), project, baked_python)


@pytest.mark.parametrize("mutant", MUTANTS, ids=str)
def test_no_mutant_survives(mutant, baked_projects, baked_python, mutants_dir, ahead):
    """Every selected mutant's run starts before the first test (``start_ahead``);
    each of these tests waits for its own."""
    run = mutant_start(mutant, baked_projects, baked_python, mutants_dir)
    result = ahead.wait(ahead(("mutant", mutant.name), run))
    assert result is not None, f"{mutant}: the code to break is not there once"
    summary = result.stdout.strip().splitlines()[-1:] or [result.stderr[-500:]]
    assert result.returncode == 1, f"{mutant} survived: {summary}"
    assert " failed" in summary[0], summary
