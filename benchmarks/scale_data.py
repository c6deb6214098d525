"""Realistic data for ``make bench-scale``, written straight into PostgreSQL by SQL.

The rows are shaped as the services write them, with ``generate_series`` instead of the services
(which would take days at a million assessments):

- candidates with one to three assessments of the qualification: earlier ones not certified or
  cancelled, some followed by a re-assessment (``previous``) or an upheld objection's new
  assessment, the last one scheduled, in scoring, in reconciliation or decided;
- portfolio files (rows only: the pages list them, the files are not read), with the
  competencies they show;
- two score sheets of a judgement per competency for every started assessment, a revision after
  reconciliation now and then;
- a certificate on certification, a statement of proven competencies on some refusals, one or
  two supplement versions of each (file names only), some revoked;
- objections (rejected, upheld or still open) on about one decision in twenty;
- the e-mails the portal sends (scheduled, decided, document ready);
- the audit trail as the services record it, in time order: an account created, the assessment
  created, each portfolio file, the start, one entry per judgement of each assessor, both
  sheets, the end, revisions, the decision, the document, the supplement queued and downloaded,
  objections and re-assessments.

Secondary indexes and foreign keys of the big tables are dropped during the load and built again
afterwards (faster than updating them row by row), then the tables are analysed.
"""

import time
from dataclasses import dataclass, field

# Candidates have one assessment (60%), two (30%) or three (10%).
ASSESSMENTS_PER_ASSESSOR = 500
MINIMUM_ASSESSORS = 20
PASSWORD = "bench-password-for-every-account"

# The tables written here, whose indexes and foreign keys are dropped during the load.
TABLES = [
    "accounts_user",
    "assessments_assessment",
    "assessments_portfolioitem",
    "assessments_portfolioitem_competencies",
    "assessments_scoresheet",
    "assessments_judgement",
    "assessments_judgementrevision",
    "assessments_objection",
    "assessments_objection_competencies",
    "certificates_certificate",
    "certificates_certificate_competencies",
    "certificates_supplementversion",
    "notifications_notification",
    "audit_auditentry",
]


@dataclass
class Generated:
    size: int
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _steps(size: int, ids: dict) -> list[tuple[str, str]]:
    """(name, SQL) in order; ``ids`` holds the fixed ids the SQL refers to."""
    assessors = max(MINIMUM_ASSESSORS, size // ASSESSMENTS_PER_ASSESSOR)
    candidates = size  # more than needed: the plan stops at ``size`` assessments
    p = {**ids, "size": size, "assessors": assessors, "candidates": candidates}
    u0 = p["first_user"]  # assessors are u0 + 1 ..; candidates u0 + assessors + 1 ..
    return [
        (
            "plan",
            f"""
            CREATE UNLOGGED TABLE bench_plan AS
            WITH cand AS (
                SELECT g AS c, 1 + (random() >= 0.6)::int + (random() >= 0.9)::int AS k,
                       random() AS r_last
                FROM generate_series(1, {candidates}) g
            ), slot AS (
                SELECT c, k, r_last, j, row_number() OVER (ORDER BY c, j) AS id
                FROM cand, generate_series(1, k) j
            )
            SELECT id, c, k, j, j = k AS last,
                   {u0} + {assessors} + c AS candidate_id,
                   -- the last one somewhere between two years ago and a year ahead, earlier ones
                   -- a quarter apart before it and in the past
                   date_trunc('hour', now() + ((-730 + r_last * 1095) || ' days')::interval) AS last_at,
                   random() AS r_status, random() AS r_link, random() AS r_objection, random() AS r_misc,
                   floor(random() * {assessors})::int AS a1, floor(random() * ({assessors} - 1))::int AS a2
            FROM slot WHERE id <= {size};
            ALTER TABLE bench_plan ADD PRIMARY KEY (id);
            ALTER TABLE bench_plan ADD COLUMN scheduled_at timestamptz, ADD COLUMN status text,
                ADD COLUMN first_assessor_id bigint, ADD COLUMN second_assessor_id bigint,
                ADD COLUMN previous_id bigint, ADD COLUMN link text, ADD COLUMN objection text,
                ADD COLUMN started_at timestamptz, ADD COLUMN ended_at timestamptz,
                ADD COLUMN decided_at timestamptz, ADD COLUMN portfolio int, ADD COLUMN location text;
            UPDATE bench_plan SET
                scheduled_at = CASE WHEN last THEN last_at
                    ELSE least(last_at, date_trunc('hour', now()) - interval '20 days')
                         - ((k - j) * 91) * interval '1 day' END,
                first_assessor_id = {u0} + 1 + a1,
                second_assessor_id = {u0} + 1 + (a1 + 1 + a2) % {assessors},
                portfolio = (r_misc * 4)::int % 4,
                location = (ARRAY['Brussel', 'Antwerpen', 'Gent', 'Leuven', 'Brugge', 'Hasselt', 'Mechelen',
                                  'Kortrijk'])[1 + (id % 8)];
            -- Some sessions of the last days, still being scored or reconciled, at every size.
            UPDATE bench_plan SET last_at = date_trunc('hour', now()) - (1 + c % 2) * interval '1 day'
                WHERE c % 200 IN (7, 8);
            UPDATE bench_plan SET scheduled_at = last_at WHERE last AND c % 200 IN (7, 8);
            UPDATE bench_plan SET status = CASE
                WHEN last AND c % 200 = 7 THEN 'scoring'
                WHEN last AND c % 200 = 8 THEN 'reconciliation'
                WHEN NOT last THEN CASE WHEN r_status < 0.65 THEN 'not_certified' ELSE 'cancelled' END
                WHEN scheduled_at > now() THEN 'registered'
                WHEN scheduled_at > now() - interval '7 days' AND r_status < 0.6 THEN 'scoring'
                WHEN scheduled_at > now() - interval '30 days' AND r_status < 0.3 THEN 'reconciliation'
                WHEN r_status < 0.72 THEN 'certified'
                WHEN r_status < 0.93 THEN 'not_certified'
                ELSE 'cancelled' END;
            UPDATE bench_plan SET
                started_at = CASE WHEN status NOT IN ('registered', 'cancelled') THEN scheduled_at END,
                ended_at = CASE WHEN status NOT IN ('registered', 'cancelled', 'scoring')
                    THEN scheduled_at + (120 + r_misc * 300) * interval '1 minute' END,
                decided_at = CASE WHEN status IN ('certified', 'not_certified')
                    THEN scheduled_at + (1 + r_misc * 9) * interval '1 day' END;
            -- What follows a refusal: a re-assessment (its ``previous``), an upheld objection's new
            -- assessment, or a fresh registration; decisions now and then meet an objection.
            UPDATE bench_plan SET link = CASE
                WHEN last OR status <> 'not_certified' THEN NULL
                WHEN r_link < 0.1 THEN 'reassessed'
                WHEN r_link < 0.14 THEN 'upheld' END;
            UPDATE bench_plan SET objection = CASE
                WHEN link = 'upheld' THEN 'upheld'
                WHEN status NOT IN ('certified', 'not_certified') THEN NULL
                WHEN r_objection < 0.01 AND last THEN 'open'
                WHEN r_objection < 0.035 THEN 'rejected' END;
            UPDATE bench_plan n SET previous_id = p.id FROM bench_plan p
                WHERE p.id = n.id - 1 AND p.c = n.c AND p.link IS NOT NULL;
            ANALYZE bench_plan;
            """,
        ),
        (
            "accounts",
            f"""
            INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email,
                                       is_staff, is_active, date_joined, role, preferred_language, last_login)
            SELECT {u0} + g, '{p["password"]}', false, 'assessor' || g || '@bench.test',
                   (ARRAY{FIRST_NAMES})[1 + g % {len(FIRST_NAMES)}],
                   (ARRAY{LAST_NAMES})[1 + (g * 7) % {len(LAST_NAMES)}],
                   'assessor' || g || '@bench.test', false, true, now() - interval '3 years', 'assessor', 'nl',
                   now() - (g % 30) * interval '1 day'
            FROM generate_series(1, {assessors}) g;
            INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email,
                                       is_staff, is_active, date_joined, role, preferred_language, last_login)
            SELECT candidate_id, CASE WHEN c % 5 = 0 THEN '!unusable' ELSE '{p["password"]}' END, false,
                   'candidate' || c || '@bench.test',
                   (ARRAY{FIRST_NAMES})[1 + (c * 13) % {len(FIRST_NAMES)}],
                   -- a family name, a quarter of them double: about 1,300 names, the most
                   -- frequent borne by 2% of the candidates
                   (ARRAY{LAST_NAMES})[1 + (c * 31) % {len(LAST_NAMES)}] || CASE WHEN c % 4 = 0
                       THEN '-' || (ARRAY{LAST_NAMES})[1 + (c / 7) % {len(LAST_NAMES)}] ELSE '' END,
                   'candidate' || c || '@bench.test', false, true,
                   min(scheduled_at) - interval '40 days', 'candidate',
                   (ARRAY['nl', 'nl', 'fr', 'en'])[1 + c % 4], NULL
            FROM bench_plan GROUP BY c, candidate_id;
            """,
        ),
        (
            "assessments",
            f"""
            INSERT INTO assessments_assessment (id, candidate_id, qualification_id, first_assessor_id,
                second_assessor_id, scheduled_at, location, planned_minutes, cancellation_reason, status,
                started_at, ended_at, decided_at, created_at, previous_id)
            SELECT id, candidate_id, {p["qualification"]}, first_assessor_id, second_assessor_id, scheduled_at,
                   location, 480, CASE WHEN status = 'cancelled' THEN 'Kandidaat verhinderd.' ELSE '' END,
                   status, started_at, ended_at, decided_at, scheduled_at - interval '30 days', previous_id
            FROM bench_plan;
            INSERT INTO assessments_portfolioitem (id, assessment_id, original_name, content_type, size, sha256,
                uploaded_at, file, description)
            SELECT b.id * 4 + f, b.id, (ARRAY['cv.pdf', 'getuigschrift werkgever.pdf', 'opname gesprek.mp3',
                       'attest opleiding.pdf'])[1 + f], 'application/pdf', 20000 + (b.id * 37 + f) % 900000,
                   md5(b.id || '-' || f) || md5(f || '-' || b.id),
                   b.scheduled_at - interval '20 days' + f * interval '1 hour',
                   'portfolio/' || md5('p' || b.id || '-' || f), 'Bewijs van ervaring ' || (f + 1)
            FROM bench_plan b, generate_series(0, 2) f WHERE f < b.portfolio;
            INSERT INTO assessments_portfolioitem_competencies (portfolioitem_id, competency_id)
            SELECT i.id, {p["competencies"][0]} + (i.id % {len(p["competencies"])})
            FROM assessments_portfolioitem i;
            """,
        ),
        (
            "score sheets",
            f"""
            INSERT INTO assessments_scoresheet (id, assessment_id, assessor_id, status, submitted_at)
            SELECT b.id * 2 + s, b.id, CASE WHEN s = 0 THEN b.first_assessor_id ELSE b.second_assessor_id END,
                   CASE WHEN b.status = 'scoring' THEN 'draft' ELSE 'submitted' END, b.ended_at
            FROM bench_plan b, generate_series(0, 1) s WHERE b.started_at IS NOT NULL;
            -- certified: all proven; refused: about a third not proven (the same on both sheets
            -- after reconciliation); in reconciliation: one competency disputed; scoring: half done.
            INSERT INTO assessments_judgement (id, sheet_id, competency_id, proven, justification, updated_at)
            SELECT j.id, j.sheet_id, j.competency_id, j.proven,
                   CASE WHEN j.proven IS FALSE THEN 'Niet aangetoond tijdens de observatie.' ELSE '' END,
                   j.updated_at
            FROM (
                SELECT (b.id * 2 + sh.s) * 16 + comp.n AS id, b.id * 2 + sh.s AS sheet_id, {p["competencies"][0]} + comp.n
                       AS competency_id,
                       CASE b.status
                           WHEN 'certified' THEN true
                           WHEN 'not_certified' THEN ((b.id * 7 + comp.n * 13) % 10) >= 3
                           WHEN 'reconciliation' THEN NOT (comp.n = b.id % 10 AND sh.s = 1)
                           ELSE CASE WHEN comp.n < 5 THEN true END END AS proven,
                       b.started_at + (30 + comp.n * 20) * interval '1 minute' AS updated_at
                FROM bench_plan b, generate_series(0, 1) sh(s), generate_series(0, {len(p["competencies"]) - 1}) comp(n)
                WHERE b.started_at IS NOT NULL
            ) j;
            INSERT INTO assessments_judgementrevision (id, judgement_id, proven_before, proven_after, reason,
                justification_before, created_at)
            SELECT b.id, ((b.id * 2 + 1) * 16 + b.id % 10), false, true, 'Na overleg toch aangetoond.',
                   'Niet aangetoond tijdens de observatie.', b.ended_at + interval '1 day'
            FROM bench_plan b WHERE b.status = 'certified' AND b.r_misc < 0.15;
            """,
        ),
        (
            "certificates",
            f"""
            INSERT INTO certificates_certificate (id, assessment_id, kind, number, year, sequence,
                verification_code, holder_name, holder_birth_date, first_language, second_language,
                issued_at, status, revoked_at, revocation_reason, issuing_centre_id)
            SELECT b.id, b.id, d.kind,
                   '0213-' || extract(year FROM b.decided_at)::int || '-'
                       || lpad((row_number() OVER (PARTITION BY extract(year FROM b.decided_at)
                                               ORDER BY b.decided_at, b.id))::text, 7, '0'),
                   extract(year FROM b.decided_at)::int,
                   row_number() OVER (PARTITION BY extract(year FROM b.decided_at) ORDER BY b.decided_at, b.id),
                   substr(md5('v' || b.id) || md5('w' || b.id), 1, 32), u.first_name || ' ' || u.last_name, NULL,
                   'nl', 'en', b.decided_at,
                   CASE WHEN b.r_misc > 0.98 THEN 'revoked' ELSE 'issued' END,
                   CASE WHEN b.r_misc > 0.98 THEN b.decided_at + interval '12 days' END,
                   CASE WHEN b.r_misc > 0.98 THEN 'Administratieve fout.' ELSE '' END, {p["centre"]}
            FROM bench_plan b JOIN accounts_user u ON u.id = b.candidate_id
            CROSS JOIN LATERAL (SELECT CASE WHEN b.status = 'certified' THEN 'certificate'
                                            ELSE 'statement' END AS kind) d
            WHERE b.status = 'certified' OR (b.status = 'not_certified' AND b.r_link >= 0.5);
            INSERT INTO certificates_certificatecounter (qualification_code, year, last_sequence)
            SELECT '0213', year, max(sequence) FROM certificates_certificate GROUP BY year;
            INSERT INTO certificates_certificate_competencies (certificate_id, competency_id)
            SELECT c.id, j.competency_id FROM certificates_certificate c
            JOIN assessments_judgement j ON j.sheet_id = c.assessment_id * 2 AND j.proven
            WHERE c.kind = 'statement';
            INSERT INTO certificates_supplementversion (id, certificate_id, number, first_language,
                second_language, status, error, file, sha256, size, renderer_version, queued_at, sent_at,
                started_at, rendered_at, attempts, claimed_by, proof_file, proof_sha256, proof_size)
            SELECT c.id * 2 + v, c.id, v + 1, 'nl', CASE WHEN v = 0 THEN 'en' ELSE 'fr' END, 'ready', '',
                   'supplements/' || md5('s' || c.id || '-' || v) || '.pdf', md5(c.id || 's' || v) ||
                   md5(v || 's' || c.id), 180000 + c.id % 20000, '67.0', c.issued_at + v * interval '30 days',
                   c.issued_at + v * interval '30 days', c.issued_at + v * interval '30 days',
                   c.issued_at + v * interval '30 days' + interval '9 seconds', 1, '', '', '', NULL
            FROM certificates_certificate c, generate_series(0, 1) v WHERE v = 0 OR c.id % 10 = 0;
            """,
        ),
        (
            "objections",
            f"""
            INSERT INTO assessments_objection (id, assessment_id, reason, lodged_at, status, outcome_reason,
                decided_by_id, decided_at, new_assessment_id)
            SELECT b.id, b.id, 'De beoordeling van de gesprekken klopt niet.', b.decided_at + interval '5 days',
                   b.objection, CASE WHEN b.objection = 'open' THEN '' ELSE 'Beoordeeld door de commissie.' END,
                   CASE WHEN b.objection = 'open' THEN NULL ELSE {p["admin"]} END,
                   CASE WHEN b.objection = 'open' THEN NULL ELSE b.decided_at + interval '15 days' END,
                   CASE WHEN b.objection = 'upheld' THEN b.id + 1 END
            FROM bench_plan b WHERE b.objection IS NOT NULL;
            INSERT INTO assessments_objection_competencies (objection_id, competency_id)
            SELECT o.id, {p["competencies"][0]} + (o.id % {len(p["competencies"])}) FROM assessments_objection o;
            """,
        ),
        (
            "e-mails",
            """
            INSERT INTO notifications_notification (id, recipient_id, assessment_id, event, detail, status,
                attempts, error, created_at, queued_at, sent_at, claimed_at, claimed_by)
            SELECT b.id * 4 + e, b.candidate_id, b.id, (ARRAY['scheduled', 'decided', 'document_ready'])[1 + e],
                   '', 'sent', 1, '', t.at, t.at, t.at + interval '4 seconds', NULL, ''
            FROM bench_plan b, generate_series(0, 2) e
            CROSS JOIN LATERAL (SELECT CASE e WHEN 0 THEN b.scheduled_at - interval '30 days'
                                              WHEN 1 THEN b.decided_at
                                              ELSE b.decided_at + interval '1 hour' END AS at) t
            WHERE e = 0 OR (e = 1 AND b.decided_at IS NOT NULL) OR (e = 2 AND b.status = 'certified');
            """,
        ),
        (
            "audit trail",
            _audit_sql(p),
        ),
    ]


def _audit_sql(p: dict) -> str:
    """The trail, written in time order (ids follow the time, as the services write them)."""
    assessment, user, certificate = p["assessment_type"], p["user_type"], p["certificate_type"]
    label = "'0213 ' || u.first_name || ' ' || u.last_name"
    competency_codes = "(ARRAY" + str(p["competency_codes"]) + ")"
    parts = [
        # accounts, created by the administrator
        f"""SELECT b.scheduled_at - interval '40 days', {p["admin"]}, 'account_created', {user}, b.candidate_id,
                   u.email, 'candidate ' || u.email, jsonb_build_object('role', 'candidate')
            FROM bench_plan b JOIN accounts_user u ON u.id = b.candidate_id WHERE b.j = 1""",
        f"""SELECT b.scheduled_at - interval '30 days', {p["admin"]}, 'assessment_created', {assessment}, b.id,
                   {label}, '0213 ' || u.email, '{{}}'::jsonb
            FROM bench_plan b JOIN accounts_user u ON u.id = b.candidate_id""",
        f"""SELECT b.scheduled_at - interval '20 days' + f * interval '1 hour', b.candidate_id, 'portfolio_added',
                   {assessment}, b.id, {label},
                   (ARRAY['cv.pdf', 'getuigschrift werkgever.pdf', 'opname gesprek.mp3', 'attest opleiding.pdf'])
                       [1 + f], '{{}}'::jsonb
            FROM bench_plan b JOIN accounts_user u ON u.id = b.candidate_id, generate_series(0, 2) f
            WHERE f < b.portfolio""",
        f"""SELECT b.started_at, b.first_assessor_id, 'assessment_started', {assessment}, b.id, {label},
                   to_char(b.started_at, 'DD/MM/YYYY HH24:MI'), '{{}}'::jsonb
            FROM bench_plan b JOIN accounts_user u ON u.id = b.candidate_id WHERE b.started_at IS NOT NULL""",
        # one entry per judgement of each assessor
        f"""SELECT j.updated_at + s.s * interval '3 minutes', s.assessor_id, 'judgement_changed', {assessment},
                   s.assessment_id, {label},
                   {competency_codes}[j.competency_id - {p["competencies"][0]} + 1] || ': '
                       || CASE WHEN j.proven IS NULL THEN '—' WHEN j.proven THEN '✔' ELSE '✘' END, '{{}}'::jsonb
            FROM assessments_judgement j
            JOIN (SELECT id, assessment_id, assessor_id, id % 2 AS s FROM assessments_scoresheet) s
              ON s.id = j.sheet_id
            JOIN bench_plan b ON b.id = s.assessment_id JOIN accounts_user u ON u.id = b.candidate_id
            WHERE j.proven IS NOT NULL""",
        f"""SELECT s.submitted_at, s.assessor_id, 'sheet_submitted', {assessment}, s.assessment_id, {label},
                   a.first_name || ' ' || a.last_name, '{{}}'::jsonb
            FROM assessments_scoresheet s JOIN bench_plan b ON b.id = s.assessment_id
            JOIN accounts_user u ON u.id = b.candidate_id JOIN accounts_user a ON a.id = s.assessor_id
            WHERE s.submitted_at IS NOT NULL""",
        f"""SELECT b.ended_at, b.first_assessor_id, 'assessment_ended', {assessment}, b.id, {label},
                   to_char(b.ended_at, 'DD/MM/YYYY HH24:MI'), '{{}}'::jsonb
            FROM bench_plan b JOIN accounts_user u ON u.id = b.candidate_id WHERE b.ended_at IS NOT NULL""",
        f"""SELECT r.created_at, b.first_assessor_id, 'judgement_revised', {assessment}, b.id, {label},
                   {competency_codes}[b.id % 10 + 1] || ': ✔', '{{}}'::jsonb
            FROM assessments_judgementrevision r JOIN bench_plan b ON b.id = r.id
            JOIN accounts_user u ON u.id = b.candidate_id""",
        f"""SELECT b.decided_at, b.second_assessor_id, 'decision', {assessment}, b.id, {label}, b.status,
                   '{{}}'::jsonb
            FROM bench_plan b JOIN accounts_user u ON u.id = b.candidate_id WHERE b.decided_at IS NOT NULL""",
        f"""SELECT c.issued_at, b.second_assessor_id,
                   CASE c.kind WHEN 'certificate' THEN 'certificate_issued' ELSE 'statement_issued' END,
                   {assessment}, b.id, {label}, c.number, '{{}}'::jsonb
            FROM certificates_certificate c JOIN bench_plan b ON b.id = c.assessment_id
            JOIN accounts_user u ON u.id = b.candidate_id""",
        f"""SELECT v.queued_at, CASE WHEN v.number = 1 THEN b.second_assessor_id ELSE {p["admin"]} END,
                   'supplement_queued', {certificate}, c.id, c.number, v.first_language || ', '
                       || v.second_language, '{{}}'::jsonb
            FROM certificates_supplementversion v JOIN certificates_certificate c ON c.id = v.certificate_id
            JOIN bench_plan b ON b.id = c.assessment_id""",
        f"""SELECT v.rendered_at + interval '2 days', b.candidate_id, 'supplement_downloaded', {certificate}, c.id,
                   c.number, 'v' || v.number, '{{}}'::jsonb
            FROM certificates_supplementversion v JOIN certificates_certificate c ON c.id = v.certificate_id
            JOIN bench_plan b ON b.id = c.assessment_id""",
        f"""SELECT c.revoked_at, {p["admin"]}, 'certificate_revoked', {certificate}, c.id, c.number,
                   c.revocation_reason, '{{}}'::jsonb
            FROM certificates_certificate c WHERE c.revoked_at IS NOT NULL""",
        f"""SELECT b.started_at - interval '1 day', b.first_assessor_id, 'file_downloaded', {assessment}, b.id,
                   {label}, 'cv.pdf', '{{}}'::jsonb
            FROM bench_plan b JOIN accounts_user u ON u.id = b.candidate_id
            WHERE b.started_at IS NOT NULL AND b.portfolio > 0""",
        f"""SELECT o.lodged_at, b.candidate_id, 'objection_lodged', {assessment}, b.id, {label},
                   {competency_codes}[o.id % 10 + 1], '{{}}'::jsonb
            FROM assessments_objection o JOIN bench_plan b ON b.id = o.assessment_id
            JOIN accounts_user u ON u.id = b.candidate_id""",
        f"""SELECT o.decided_at, {p["admin"]}, 'objection_decided', {assessment}, b.id, {label}, o.status,
                   '{{}}'::jsonb
            FROM assessments_objection o JOIN bench_plan b ON b.id = o.assessment_id
            JOIN accounts_user u ON u.id = b.candidate_id WHERE o.decided_at IS NOT NULL""",
        f"""SELECT p.decided_at + interval '20 days', {p["admin"]}, 'reassessment_scheduled', {assessment}, b.id,
                   {label}, '0213 ' || u.email || ' ' || to_char(b.scheduled_at, 'DD/MM/YYYY HH24:MI'),
                   '{{}}'::jsonb
            FROM bench_plan b JOIN bench_plan p ON p.id = b.previous_id AND p.link = 'reassessed'
            JOIN accounts_user u ON u.id = b.candidate_id""",
    ]
    union = "\nUNION ALL\n".join(parts)
    return f"""
        INSERT INTO audit_auditentry (id, created_at, actor_id, action, subject_type_id, subject_id,
                                      subject_label, summary, data, api_key)
        SELECT row_number() OVER (ORDER BY e.created_at), e.*, ''  -- none through an API key
        FROM ({union}) AS e(created_at, actor_id, action, subject_type_id, subject_id, subject_label, summary, data)
        ORDER BY e.created_at
    """


FIRST_NAMES = [
    "An", "Bram", "Chloé", "Dirk", "Els", "Fatima", "Geert", "Hanne", "Ilse", "Jens", "Karim", "Lotte",
    "Mehmet", "Nora", "Olivier", "Pieter", "Rania", "Sofie", "Thomas", "Yasmine", "Amina", "Wout", "Lore",
    "Youssef", "Marie", "Kobe", "Zoë", "Arne", "Ines", "Milan",
]  # fmt: skip
LAST_NAMES = [
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet",
    "Dubois", "Lambert", "El Amrani", "Vermeulen", "Martens", "Hermans", "Aerts", "Segers", "Van den Broeck",
    "Lemmens", "Dupont", "Verstraete", "Bogaert", "Benali", "Desmet", "Coppens", "Pauwels", "Smets",
    "Verhoeven", "Van Damme", "Michiels", "Leclercq", "Yilmaz", "Nowak", "Mahieu", "Vandenberghe",
]  # fmt: skip


def _drop_indexes(cursor) -> list[str]:
    """Drop the secondary indexes, unique constraints and foreign keys of ``TABLES``; return the
    statements that create them again."""
    tables = ", ".join(f"'{table}'" for table in TABLES)
    cursor.execute(
        f"""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint
            WHERE conrelid::regclass::text IN ({tables}) AND contype IN ('f', 'u')
            ORDER BY contype = 'f'"""
    )
    constraints = cursor.fetchall()
    cursor.execute(
        f"""SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
            WHERE i.indrelid::regclass::text IN ({tables}) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype = 'u')"""
    )
    indexes = cursor.fetchall()
    for table, name, _definition, _kind in sorted(constraints, key=lambda row: row[3] != "f"):
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    create = [f'ALTER TABLE "{t}" ADD CONSTRAINT "{n}" {d}' for t, n, d, k in constraints if k == "u"]
    create += [definition for _name, definition in indexes]
    create += [f'ALTER TABLE "{t}" ADD CONSTRAINT "{n}" {d}' for t, n, d, k in constraints if k == "f"]
    return create


def generate(connection, size: int, ids: dict, *, log=print) -> Generated:
    """Write ``size`` assessments and everything around them; ``ids``: the administrator
    (``admin``), the qualification, its competencies and their codes, the issuing centre, the
    content types of an assessment, an account and a certificate, the first free account id
    (``first_user``) and the password hash of every generated account (``password``)."""
    result = Generated(size)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SELECT setseed(0.14)")
        cursor.execute("DROP TABLE IF EXISTS bench_plan")
        started = time.perf_counter()
        recreate = _drop_indexes(cursor)
        for name, sql in _steps(size, ids):
            step = time.perf_counter()
            cursor.execute(sql)
            result.seconds[name] = time.perf_counter() - step
            log(f"    {name}: {result.seconds[name]:.1f} s")
        step = time.perf_counter()
        for statement in recreate:
            cursor.execute(statement)
        result.seconds["indexes and foreign keys"] = time.perf_counter() - step
        log(f"    indexes and foreign keys: {result.seconds['indexes and foreign keys']:.1f} s")
        cursor.execute("DROP TABLE bench_plan")
        step = time.perf_counter()
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"
            )
        cursor.execute("ANALYZE")
        result.seconds["analyze"] = time.perf_counter() - step
        result.seconds["total"] = time.perf_counter() - started
        for table in TABLES:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            result.counts[table] = cursor.fetchone()[0]
    return result
