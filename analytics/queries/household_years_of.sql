-- One household's file (一户一档): every year on the register.
SELECT f.year, f.members, f.income, f.wage_income, f.poverty_line, f.status, f.prev_status,
       f.is_exit, f.is_relapse, f.relapse_cause, f.dibao_class,
       f.food_clothing_secure, f.education_secure, f.medical_secure, f.housing_secure,
       f.water_secure
FROM household_facts f
WHERE f.household_id = $household_id
  AND (len($townships) = 0 OR list_contains($townships, f.township_code))
  AND (len($allowed) = 0 OR list_contains($allowed, f.township_code))
ORDER BY f.year
