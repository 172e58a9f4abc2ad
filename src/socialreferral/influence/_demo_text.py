"""Word lists and templates of the demo stream (synthetic: no real people or posts)."""

from __future__ import annotations

FIRST_NAMES = (
    "Ava Liam Noah Emma Olivia Mia Lucas Ethan Amara Chen Priya Diego Sofia Mateo Aisha Omar "
    "Hana Yuki Kwame Zoe Leo Nina Ivan Elena Jamal Fatima Sven Ingrid Carlos Lucia Tariq Mei "
    "Raj Anika Tom Grace Ben Chloe Sam Ruby"
).split()
LAST_NAMES = (
    "Smith Johnson Garcia Lee Patel Kim Nguyen Okafor Silva Muller Rossi Dubois Cohen Khan "
    "Brown Davis Lopez Wilson Ito Sato Mensah Novak Larsen Costa Haddad Singh Murphy Walsh "
    "Ahmed Chen"
).split()

# (free text as people write it, expected ISO country, expected city or region or "")
RESOLVABLE_LOCATIONS: tuple[tuple[str, str, str], ...] = (
    ("New York, NY", "US", "New York City"),
    ("NYC", "US", "New York City"),
    ("Brooklyn, NY", "US", "Brooklyn"),
    ("Los Angeles, CA", "US", "Los Angeles"),
    ("LA", "US", "Los Angeles"),
    ("SF", "US", "San Francisco"),
    ("San Francisco, California", "US", "San Francisco"),
    ("Chicago, IL", "US", "Chicago"),
    ("Chicago", "US", "Chicago"),
    ("Houston, TX", "US", "Houston"),
    ("Austin TX", "US", "Austin"),
    ("Texas", "US", "Texas"),
    ("Texas, USA", "US", "Texas"),
    ("Denver, CO", "US", "Denver"),
    ("Seattle, WA", "US", "Seattle"),
    ("Newark, NJ", "US", "Newark"),
    ("Washington, DC", "US", "Washington"),
    ("DC", "US", "Washington"),
    ("Atlanta, GA", "US", "Atlanta"),
    ("Miami, FL", "US", "Miami"),
    ("Boston", "US", "Boston"),
    ("Philly", "US", "Philadelphia"),
    ("California", "US", "California"),
    ("USA", "US", ""),
    ("Portland, Oregon", "US", "Portland"),
    ("based in Denver", "US", "Denver"),
    ("Houston, TX 📍", "US", "Houston"),
    ("Toronto, Ontario", "CA", "Toronto"),
    ("Vancouver, BC", "CA", "Vancouver"),
    ("Montréal", "CA", "Montréal"),
    ("London", "GB", "London"),
    ("London, UK", "GB", "London"),
    ("Manchester, England", "GB", "Manchester"),
    ("Scotland", "GB", "Scotland"),
    ("UK", "GB", ""),
    ("Paris, France", "FR", "Paris"),
    ("Berlin", "DE", "Berlin"),
    ("Deutschland", "DE", ""),
    ("Madrid, España", "ES", "Madrid"),
    ("Dublin, Ireland", "IE", "Dublin"),
    ("Amsterdam", "NL", "Amsterdam"),
    ("Mumbai, India", "IN", "Mumbai"),
    ("Bangalore", "IN", "Bengaluru"),
    ("Lagos, Nigeria", "NG", "Lagos"),
    ("Nairobi", "KE", "Nairobi"),
    ("Sydney, Australia", "AU", "Sydney"),
    ("Melbourne, VIC", "AU", "Melbourne"),
    ("Tokyo", "JP", "Tokyo"),
    ("Singapore", "SG", ""),
    ("São Paulo, Brasil", "BR", "São Paulo"),
    ("Mexico City", "MX", "Mexico City"),
    ("🇧🇷", "BR", ""),
    ("Hong Kong", "HK", ""),
    ("Dubai, UAE", "AE", "Dubai"),
)
UNRESOLVABLE_LOCATIONS = (
    "somewhere over the rainbow",
    "Earth",
    "she/her",
    "in your heart ❤️",
    "🌍",
    "wherever the wind blows",
    "living my best life",
    "the internet",
    "404 not found",
    "God's country",
    "coffee shop",
    "Hogwarts",
    "on the road again",
    "behind you 👀",
)

KEYWORD_SURFACES = {
    "unitedairlines": ("United Airlines", "@united", "#UnitedAirlines", "united airlines"),
    "delta": ("Delta", "@Delta", "#DeltaAirlines", "delta"),
    "americanairlines": ("American Airlines", "@AmericanAir", "#AmericanAirlines"),
}
THINGS = (
    "flight crew seat bag wifi lounge app upgrade snacks gate pilot boarding legroom "
    "check-in refund miles service staff"
).split()
POSITIVE_ADJ = "great amazing smooth friendly awesome comfortable excellent lovely perfect".split()
NEGATIVE_ADJ = "terrible rude awful dirty broken horrible useless disgusting slow".split()
CITIES = "Chicago Denver Houston Newark London Tokyo Paris Boston Miami Seattle".split()

POSITIVE = (
    "Loving my {thing} on {kw} today, the crew was {pos}!",
    "Thank you {kw} for a {pos} {thing} to {city} 🙌",
    "{kw} just upgraded me, {pos} day! #happy",
    "Best {thing} ever with {kw}. So {pos}!",
    "Huge thanks to the {kw} staff in {city}, {pos} service",
    "Shoutout to {kw}: {pos} {thing} and on time",
)
NEGATIVE = (
    "{kw} lost my {thing} again. {neg} service",
    "Worst {thing} ever, {kw}. Never flying with you again",
    "3 hours delayed in {city} and {kw} staff are {neg} #fail",
    "Hey {kw}, your {thing} is {neg}. Really disappointed",
    "{kw} cancelled my flight to {city} with no refund. {neg}!",
    "So angry at {kw}, the {thing} was {neg}",
)
NEUTRAL = (
    "Flying {kw} to {city} tomorrow",
    "Does {kw} allow a second {thing} on flights to {city}?",
    "Boarding my {kw} flight to {city} now",
    "{kw} announces new routes to {city}",
    "Anyone know the {kw} {thing} policy?",
    "At the {kw} gate in {city}",
)
# Extra words a crisis brings (the seed's United Airlines case).
CRISIS = (
    "Watch this video: {kw} dragged a passenger off an overbooked flight. Boycott {kw}!",
    "Disgusting. {kw} dragged a man off the plane, shame on you #boycott",
    "That {kw} video is horrifying. Passenger dragged off, CEO silent",
    "Never again {kw}. Dragging a passenger off an overbooked plane is outrageous",
)
CAMPAIGN = (
    "{kw} sale: fares to {city} from $99! Book now",
    "Excited about the new {kw} lounge in {city}!",
    "{kw} launches free wifi on every flight, great news",
    "Just saw the {kw} ad, love it",
)
NOISE = (
    "Just had the best coffee in {city}",
    "Traffic is {neg} this morning",
    "Watching the game tonight, {pos} match",
    "United we stand, divided we fall",
    "The United States has {pos} national parks",
    "Airline food is a mystery to me",
    "Monday again... need more sleep",
    "Who else is excited for the weekend?",
    "My delta variant of the recipe turned out {pos}",
    "American football season is here!",
    "New blog post on travel hacks for {city}",
    "Rain all day in {city}, {neg}",
)
