"""The words by which the checklist tells what a recipe or a CSV script does, and what it does not."""

# what a recipe does: a prompt that names none of it ("a markdown to HTML converter") gets a substitute
RECIPE_OWN_WORDS = {
    "converter": r"\b(?:celsius|fahrenheit|kelvin|temperatures?|units?(?![ _-]test)|kilomet\w+|km|miles?|pounds?|lbs?|kg|kilograms?"
    r"|grams?|meters?|metres?|feet|foot|inch\w*|lengths?|weights?|ounces?|yards?|distances?)\b",
    "validators": r"\b(?:emails?|e mails?|urls?|links?|ip|ipv4|ip address\w*|card numbers?|credit cards?|luhn"
    r"|phone(?: numbers?)?|telephone numbers?)\b",
    "strings": r"\b(?:slug\w*|camel ?case|snake ?case|kebab|case conversion|truncat\w+|palindrom\w*|anagrams?|string|strings|text)\b",
    "statistics": r"\b(?:mean|median|mode|averages?|standard deviation|stdev|variance|percentiles?|statistics|stats)\b",
}
# a recipe's request that names what the recipe does not do
MISSING_IN_RECIPE = {
    "validators": r"\b(iban\w*|postcodes?|zip codes?|isbns?|uuids?|passwords?|dates?|json|xml|ssns?"
    r"|vat numbers?|domains?|ipv6|mac address\w*|hex colou?rs?|usernames?)\b",
    "converter": r"\b(currenc\w+|dollars?|euros?|volumes?|liters?|litres?|gallons?|speeds?|time zones?|timezones?"
    r"|bytes|megabytes|areas?|pressure|energy|roman numerals?|bases?|binary|hexadecimal)\b",
    "statistics": r"\b(correlation|regression|histograms?|moving averages?|z ?scores?|quartiles?|outliers?)\b",
    "strings": r"\b(wrap\w*|pad\w*|capitali[sz]\w*|templat\w+|markdown|html escap\w*|levenshtein|edit distance)\b",
    "data_structures": r"\b(graphs?|red black trees?|avl trees?|b trees?|skip lists?|bloom filters?|hash (?:maps?|tables?)"
    r"|union find|disjoint sets?|segment trees?|(?:circular|ring) buffers?|doubly linked lists?|circular linked lists?"
    r"|deques?|sets?|matri(?:x|ces)|sparse arrays?|interval trees?|suffix (?:trees?|arrays?))\b",
    "algorithms": r"\b(levenshtein|edit distance|dijkstra\w*|shortest paths?|breadth first search|bfs"
    r"|depth first search|dfs|topological sort\w*|knapsack|longest common (?:subsequence|substring)|permutations?"
    r"|combinations|subsets|power ?sets?|(?:bubble|insertion|selection|heap|radix|counting|bucket|shell|tim) ?sorts?"
    r"|(?:three|3) ?sum|kadane\w*|maximum subarray|n queens|sudoku|towers? of hanoi|matrix multiplication"
    r"|rot ?13|vigen[e\u00e8]re|interval trees?|nested (?:dict\w*|objects?|json)|(?:find|detect)\w* overlaps?)\b",
    "formats": r"\b(yaml|toml|json|xml|csv|durations?|semantic versions?|semver|dates?|times?|markdown|html|cron"
    r"|base ?64|hex\w*|binary|morse|urls?|query strings?|emails?|phone numbers?|units?(?![ _-]test)|currenc\w+)\b",
}
DATA_OPERATIONS = [
    ("remove duplicate rows", r"\b(?:duplicat\w+|dedup\w*)\b"),
    ("filter rows", r"\bfilter\w* (?:rows|records|lines|out)\b|\bonly (?:rows|records) (?:where|with)\b"),
    ("merge or join files", r"\b(?:merg\w+|join\w*|combin\w+) (?:two |multiple |several )?(?:csv |files?|tables?|datasets?)"),
    ("clean the data", r"\bclean\w*\b|\bempty (?:lines|rows|cells)\b|\bmissing values\b|\bnormali[sz]\w+\b"),
    ("convert to another format", r"\bto (?:json|excel|xlsx|parquet|xml|sql)\b|\bconvert\w* (?:\w+ )?(?:csv|file)"
     r"|\bto (?:an? |the )?(?:excel|xlsx|parquet|xml)\b|\b(?:excel|xlsx|parquet) (?:files?|sheets?|workbooks?)\b"),
    ("parse log files", r"\blog files?\b|\bstatus codes\b|\baccess logs?\b"),
    ("charts or plots", r"\b(?:charts?|plots?|graphs?|visuali[sz]\w+|matplotlib)\b"),
    ("sort the rows", r"\bsort\w* (?:the )?(?:rows|records|lines|data|file)\b"),
]
