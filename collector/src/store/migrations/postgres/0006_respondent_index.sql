-- Erasure finds a respondent's responses without reading them all.
CREATE INDEX responses_by_respondent ON responses (respondent);
