-- printmon cloud schema, version 20: each user's language. Forward-only.
--
-- The console kept the language in the browser only: a user who chose Russian saw English
-- again on a new computer, and the e-mails written for them (password reset) guessed from an
-- alert channel or the browser's Accept-Language. NULL: never chosen (the console then stores
-- the language it is showing at the next sign-in).
ALTER TABLE users ADD COLUMN language text CHECK (language IN ('en', 'ru'));
