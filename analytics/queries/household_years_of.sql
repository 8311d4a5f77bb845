-- One household's file (一户一档): every year on the register. 两不愁三保障: 是 / 否, 无数据
-- when not recorded (null, contract): unknown is never shown as met or unmet.
SELECT f.year, f.members, f.income, f.wage_income, f.poverty_line, f.status, f.prev_status,
       f.is_exit, f.is_relapse, f.relapse_cause, f.dibao_class,
       CASE WHEN f.food_clothing_secure THEN '是' WHEN NOT f.food_clothing_secure THEN '否' ELSE '无数据' END AS food_clothing_secure,
       CASE WHEN f.education_secure THEN '是' WHEN NOT f.education_secure THEN '否' ELSE '无数据' END AS education_secure,
       CASE WHEN f.medical_secure THEN '是' WHEN NOT f.medical_secure THEN '否' ELSE '无数据' END AS medical_secure,
       CASE WHEN f.housing_secure THEN '是' WHEN NOT f.housing_secure THEN '否' ELSE '无数据' END AS housing_secure,
       CASE WHEN f.water_secure THEN '是' WHEN NOT f.water_secure THEN '否' ELSE '无数据' END AS water_secure
FROM household_facts f
WHERE f.household_id = $household_id
  AND (len($townships) = 0 OR list_contains($townships, f.township_code))
  AND (viewer_may_see($allowed, f.township_code))
ORDER BY f.year
