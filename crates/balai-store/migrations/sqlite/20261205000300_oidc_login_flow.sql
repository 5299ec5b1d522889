-- Citizens now sign in through an identity provider too. Their pending sign-ins share the table
-- with the officers'; each is marked with the flow that started it, and a callback takes only a
-- sign-in its own flow started (an officer's state can never finish a citizen's sign-in, or the
-- reverse).
ALTER TABLE oidc_logins ADD COLUMN flow TEXT NOT NULL DEFAULT 'officer' CHECK (flow IN ('officer', 'citizen'));
