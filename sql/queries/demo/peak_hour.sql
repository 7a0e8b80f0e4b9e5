-- Each brand's hour with the most complaints in [?, ?): one row per brand.
-- Parameters (in order): the first and the end UTC timestamps.
select brand, hour, posts, complaints
from brand_hourly
where hour >= ? and hour < ?
qualify row_number() over (partition by brand order by complaints desc, hour) = 1
order by brand
