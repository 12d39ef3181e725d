-- The school registry: boroughs, their schools and the rooms (venues) at each school.
-- Seeded with the 78 schools in 15 London boroughs listed in Appendix 1 of the 2003 Safer Schools
-- Partnership report. A school is identified by borough + name: "Langdon Park" is in two boroughs.

CREATE TABLE boroughs (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE schools (
    id                    INTEGER PRIMARY KEY,
    borough_id            INTEGER NOT NULL REFERENCES boroughs (id),
    name                  TEXT NOT NULL,
    single_officer_based  INTEGER NOT NULL DEFAULT 0 CHECK (single_officer_based IN (0, 1)),
    UNIQUE (borough_id, name)
);

CREATE TABLE rooms (
    id         INTEGER PRIMARY KEY,
    school_id  INTEGER NOT NULL REFERENCES schools (id),
    name       TEXT NOT NULL,
    capacity   INTEGER NOT NULL CHECK (capacity > 0),
    UNIQUE (school_id, name)
);

INSERT INTO boroughs (name) VALUES
    ('Brent'),
    ('Camden'),
    ('Croydon'),
    ('Ealing'),
    ('Hackney'),
    ('Haringey'),
    ('Islington'),
    ('Lambeth'),
    ('Lewisham'),
    ('Newham'),
    ('Southwark'),
    ('Tower Hamlets'),
    ('Wandsworth'),
    ('Waltham Forest'),
    ('Westminster');

INSERT INTO schools (borough_id, name, single_officer_based)
SELECT b.id, s.name, s.single_officer_based
FROM (
    SELECT 'Brent' AS borough, 'Wembley High' AS name, 0 AS single_officer_based
    UNION ALL SELECT 'Brent', 'John Kelly Boys', 0
    UNION ALL SELECT 'Brent', 'Cardinal Hinsley RC High', 0
    UNION ALL SELECT 'Brent', 'Queens Park Community', 0
    UNION ALL SELECT 'Camden', 'Haverstock', 1
    UNION ALL SELECT 'Camden', 'Acland Burghley', 0
    UNION ALL SELECT 'Camden', 'South Camden Community', 0
    UNION ALL SELECT 'Croydon', 'Archbishop Llanfranc', 1
    UNION ALL SELECT 'Ealing', 'Villiers High', 0
    UNION ALL SELECT 'Ealing', 'Dormers Wells High', 0
    UNION ALL SELECT 'Ealing', 'Featherstone High', 0
    UNION ALL SELECT 'Ealing', 'Brentside High', 0
    UNION ALL SELECT 'Ealing', 'Acton High', 0
    UNION ALL SELECT 'Ealing', 'The Cardinal Wiseman Roman Catholic', 0
    UNION ALL SELECT 'Ealing', 'Compton High', 0
    UNION ALL SELECT 'Ealing', 'Greenford High', 0
    UNION ALL SELECT 'Ealing', 'Northolt High', 0
    UNION ALL SELECT 'Ealing', 'Drayton Mannor', 0
    UNION ALL SELECT 'Ealing', 'Elthorne Park High', 0
    UNION ALL SELECT 'Ealing', 'The Ellen Wilkinson School for Girls', 0
    UNION ALL SELECT 'Ealing', 'Twyford Church of England High', 0
    UNION ALL SELECT 'Hackney', 'Stoke Newington', 1
    UNION ALL SELECT 'Hackney', 'Kingsland', 1
    UNION ALL SELECT 'Hackney', 'Clapton Girls', 1
    UNION ALL SELECT 'Hackney', 'Homerton', 1
    UNION ALL SELECT 'Hackney', 'Haggerston', 1
    UNION ALL SELECT 'Hackney', 'Hackney Free and Parochial', 1
    UNION ALL SELECT 'Haringey', 'Park View Academy', 1
    UNION ALL SELECT 'Haringey', 'Northumberland Park', 1
    UNION ALL SELECT 'Haringey', 'Alexandra Park and Hornsey Girls', 1
    UNION ALL SELECT 'Haringey', 'Highgate Wood', 1
    UNION ALL SELECT 'Haringey', 'Gladesmore Community', 1
    UNION ALL SELECT 'Haringey', 'St David and St Katherines', 1
    UNION ALL SELECT 'Haringey', 'White Hart Lane', 1
    UNION ALL SELECT 'Islington', 'St Aloysius', 1
    UNION ALL SELECT 'Islington', 'Highbury Grove', 1
    UNION ALL SELECT 'Islington', 'Islington Arts and Media', 1
    UNION ALL SELECT 'Lambeth', 'Lillian Baylis', 1
    UNION ALL SELECT 'Lambeth', 'Stockwell Park', 1
    UNION ALL SELECT 'Lambeth', 'Bishop Thomas Grant', 1
    UNION ALL SELECT 'Lewisham', 'Forest Hill Boys', 1
    UNION ALL SELECT 'Lewisham', 'St Joseph’s Academy', 1
    UNION ALL SELECT 'Lewisham', 'Crofton', 1
    UNION ALL SELECT 'Lewisham', 'Malory', 1
    UNION ALL SELECT 'Newham', 'Langdon Park', 0
    UNION ALL SELECT 'Newham', 'Forest Gate Community', 0
    UNION ALL SELECT 'Newham', 'St Angela’s', 0
    UNION ALL SELECT 'Newham', 'Rokeby', 0
    UNION ALL SELECT 'Newham', 'St Bonaventure’s', 0
    UNION ALL SELECT 'Newham', 'Sarah Bonnell', 0
    UNION ALL SELECT 'Newham', 'Lister Community', 0
    UNION ALL SELECT 'Newham', 'Plashet', 0
    UNION ALL SELECT 'Newham', 'Little Ilford', 0
    UNION ALL SELECT 'Newham', 'Brampton Manor', 0
    UNION ALL SELECT 'Newham', 'Tunmarsh', 0
    UNION ALL SELECT 'Newham', 'Royal Docks Community', 0
    UNION ALL SELECT 'Newham', 'Kingsland Community', 0
    UNION ALL SELECT 'Newham', 'Cumberland', 0
    UNION ALL SELECT 'Newham', 'Eastlea Community', 0
    UNION ALL SELECT 'Newham', 'Stratford', 0
    UNION ALL SELECT 'Newham', 'Newham V1 Form', 0
    UNION ALL SELECT 'Southwark', 'Archbishop Michael Ramsey', 1
    UNION ALL SELECT 'Southwark', 'Alwins Girls', 1
    UNION ALL SELECT 'Southwark', 'Walworth', 1
    UNION ALL SELECT 'Tower Hamlets', 'Tower Hamlets College', 1
    UNION ALL SELECT 'Tower Hamlets', 'George Green', 1
    UNION ALL SELECT 'Tower Hamlets', 'St Paul’s Way', 0
    UNION ALL SELECT 'Tower Hamlets', 'Langdon Park', 0
    UNION ALL SELECT 'Tower Hamlets', 'Bethnal Green Technical College', 0
    UNION ALL SELECT 'Wandsworth', 'Chestnut Grove', 1
    UNION ALL SELECT 'Waltham Forest', 'Tom Hood', 1
    UNION ALL SELECT 'Waltham Forest', 'Leytonstone', 1
    UNION ALL SELECT 'Waltham Forest', 'McEntee', 1
    UNION ALL SELECT 'Westminster', 'St Augustine’s', 1
    UNION ALL SELECT 'Westminster', 'St George’s', 1
    UNION ALL SELECT 'Westminster', 'North Westminster Upper', 1
    UNION ALL SELECT 'Westminster', 'North Westminster Middle', 1
    UNION ALL SELECT 'Westminster', 'North Westminster Lower', 1
) AS s
JOIN boroughs AS b ON b.name = s.borough;
