SELECT urn, name, phase, local_authority FROM academies ORDER BY name;
