"""The measured prompts of the template generator's requirements checklist (docs/generators.md, "Measured").

Each prompt is written down with what it gives today: ``faithful`` (completed, every request met),
``flagged`` (completed; the named requests are marked substituted or unmet) or ``refused`` (failed with
a message that says what the generator can do). ``wrong`` names a prompt whose result still passes
something off; test_checklist.py keeps every verdict as written, so a faithful prompt that regresses
fails, and a prompt that improves has its line (and the report) updated.
"""

from __future__ import annotations

from dataclasses import dataclass

FAITHFUL, FLAGGED, REFUSED = "faithful", "flagged", "refused"


@dataclass(frozen=True)
class M:
    prompt: str
    verdict: str
    flags: tuple[str, ...] = ()  # flagged: requests marked substituted or unmet; refused: words of the error
    wrong: str | None = None  # what the result passes off, if anything


MEASURED = [
    # REST APIs
    M("A REST API for a veterinary clinic with pets (name, species, birth_date) and owners (name, phone)", FAITHFUL),
    M("Build a Flask API for a library: books, members and loans, with JWT login", FAITHFUL),
    M("aiohttp service to store sensor readings with sensor_id, value and recorded_at, paginated", FAITHFUL),
    M("Make an API where users can register and log in and keep a list of bookmarks with url and title", FAITHFUL),
    M("A todo list API with tasks that have a title, a due_date and a priority, using SQLite", FAITHFUL),
    M("A REST API for a school with students and courses, written in Python with FastAPI, with tests", FAITHFUL),
    M("A blog API with posts (title, body, published) and comments; GET /posts/{id} returns a post", FAITHFUL),
    M("An API for a gym with members and workouts, members log in with JWT, and lists are paginated and sortable",
      FAITHFUL),
    M("Create a Flask app for a recipe book with recipes that have title, ingredients and prep_minutes, and search",
      FAITHFUL),
    M("A simple notes app", FAITHFUL),
    M("An API for a pizza shop with pizzas (name, price, vegetarian) and orders; orders belong to a customer",
      FAITHFUL),
    M("A REST API for invoices. quantity must be at least 1 and code must be unique", FAITHFUL),
    M("A Django REST framework API for a blog with posts and comments", FLAGGED, ("use Django",)),
    M("An API for a hotel with rooms and bookings, add sorting and search, deployed with Docker", FLAGGED,
      ("a Dockerfile",)),
    M("An expense tracker API with categories; amount must be positive; send email alerts when the budget is exceeded",
      FLAGGED, ("sending email or notifications",)),
    M("Inventory API in MongoDB with products and suppliers and rate limiting", FLAGGED,
      ("store data in mongodb", "rate limiting")),
    M("A Flask API for products with name, price, quantity and status. price must be positive, quantity must be "
      "between 1 and 100, name must be at most 40 characters, status must be one of draft, live or archived. "
      "quantity defaults to 1. Products belong to a supplier.", FAITHFUL),
    M("An API for a car rental company: vehicles (make, model, year) and rentals; customers can cancel a rental",
      FAITHFUL),
    M("A Flask API for invoices with code and amount; users can archive an invoice and approve an invoice, and mark "
      "an invoice as paid", FAITHFUL),
    M("An aiohttp API for articles with title and body where editors can publish an article", FAITHFUL),
    M("A library API where books belong to an author", FLAGGED, ("loans",)),
    M("Create an endpoint GET /stats/daily that returns the number of signups per day", REFUSED, ("Cannot serve",)),
    # command-line tools
    M("CLI to manage a reading list with title, author and status; support --sort and --limit options", FAITHFUL),
    M("A command line tool that converts kilometers to miles", FAITHFUL),
    M("command-line password generator with --length and --symbols flags", FLAGGED, ("option --symbols",)),
    M("A CLI that computes sha256 checksums of files", FAITHFUL),
    M("A CLI to track my habits with name and frequency", FAITHFUL),
    M("A Python CLI that converts Celsius to Fahrenheit", FAITHFUL),
    M("A python script to rename all jpg files in a folder by date", REFUSED,
      ("Cannot write a program that renames, moves or sorts the files of a folder",)),
    # libraries
    M("A Python library for validating IBAN numbers and email addresses", FLAGGED, ("iban",)),
    M("a python module with a function slugify() and a function truncate_words()", FLAGGED,
      ("function truncate_words",)),
    M("A small python package for computing mean, median and mode of a list", FAITHFUL),
    M("A Python library that implements a trie with insert and search", FAITHFUL),
    # data scripts
    M("Process orders.csv and report total revenue per country", FAITHFUL),
    M("A script that reads temperatures.csv (city, date, temperature) and prints the average temperature per city",
      FAITHFUL),
    M("Clean a CSV file: remove duplicate rows and empty lines", FLAGGED, ("clean the data",)),
    M("Analyze a log file and count HTTP status codes", REFUSED, ("parse log files",)),
    # web pages
    M("A personal portfolio website with projects and skills", FAITHFUL),
    M("A landing page for a yoga studio with a contact form", FAITHFUL),
    M("A web page to keep track of my workouts with name, duration_minutes and performed_on", FAITHFUL),
    M("A calculator web page", FAITHFUL),
    M("A countdown timer web page", FAITHFUL),
    M("A web page that lists my favourite movies with title, director and rating", FAITHFUL),
    M("A React dashboard that shows sales charts", REFUSED, ("use react",)),
    # other languages
    M("A Spring Boot microservice for managing customers", REFUSED, ("Java",)),
    M("Write a Node.js Express server with a /health route", REFUSED, ("JavaScript",)),
    M("A Rust command line tool that counts lines of code", REFUSED, ("Rust",)),
    M("Write a bash script that backs up my home folder", REFUSED, ("Bash",)),
    M("A microservice in Go for URL shortening", REFUSED, ("Go",)),
    M("A C# console app that prints the weather", REFUSED, ("C#",)),
    # other kinds of program, and no program at all
    M("Write a haiku about the sea", REFUSED, ("Cannot serve",)),
    M("Explain how quicksort works", REFUSED, ("Cannot serve",)),
    M("A snake game that runs in the browser", REFUSED, ("game",)),
    M("Build a tic tac toe game in python for the terminal", REFUSED, ("game",)),
    M("A real-time chat application using WebSockets", REFUSED, ("real-time",)),
    M("A web scraper that collects product prices from Amazon", REFUSED, ("scraper",)),
    M("Train a neural network to classify images of cats and dogs", REFUSED, ("machine-learning",)),
    M("A GraphQL API for a movie database", REFUSED, ("GraphQL",)),
    M("An Android app for tracking habits", REFUSED, ("mobile app",)),
    M("A Kotlin Android app for notes", REFUSED, ("mobile app",)),
    M("A Discord bot that answers trivia questions", REFUSED, ("bot",)),
    # second batch: written after the rules above, and run once before any change for them (3 were wrong then:
    # the shopping cart left out, the URL shortener without a redirect, a sensor page for a weather dashboard)
    M("I want an online store backend with products, a shopping cart and checkout with Stripe", FLAGGED,
      ("payments", "a shopping cart")),
    M('Create a URL shortener API', REFUSED, ('Cannot serve',)),
    M("A Flask API for a dentist: patients have name, email and phone, appointments have date and notes. "
      "Only admins can delete patients.", FLAGGED, ("roles and permissions",)),
    M("Make a command line todo app with add, list, done commands", FLAGGED, ("command done",)),
    M("a python library to parse and format durations like 1h30m", REFUSED, ("Cannot serve",)),
    M("An API to manage employees and departments; each employee belongs to a department; salary must be positive",
      FAITHFUL),
    M("weather dashboard web page that fetches the forecast from an API", REFUSED, ("calling external services",)),
    M("A REST API with user registration, email verification and password reset", FLAGGED,
      ("account e-mail flows (verification, password reset)", "the records to keep")),
    M("Build a markdown to HTML converter CLI", REFUSED, ("unit converter",)),
    M("CSV: compute the median salary per department from employees.csv", FAITHFUL),
    M("A FastAPI app that lets users upload images and tags them", REFUSED, ("upload",)),
    M("a page with a form to sign up for a newsletter", FLAGGED, ("token auth", "to signup for a newsletter")),
    M("a tool that monitors a website and alerts me when it is down", REFUSED, ("Cannot serve",)),
    M("a Python class for a bank account with deposit and withdraw methods", FLAGGED,
      ("function deposit", "function withdraw", "transactions")),
    M("Write unit tests for my code", REFUSED, ("Cannot serve",)),
    M("An API for a movie theater with movies, showtimes and tickets, with JWT and pagination, in memory", FAITHFUL),
    # third batch: written after the second batch's fixes and run once before any change for them. 5 of 20 were
    # wrong then: a listed field "track" dropped, a landing page's named sections replaced by "features", a
    # recommendation engine served as an items API ("filtering" read as search), "quantity cannot be negative"
    # enforced as "must be negative", and "each user only sees their own tasks" dropped
    M("A REST API for a dog walking business with walkers, dogs and walks; each walk belongs to a walker", FAITHFUL),
    M("Build an API for conference talks with title, speaker, duration_minutes and track; duration_minutes must be "
      "between 5 and 90", FLAGGED, ("field track of conference_talks",)),
    M("A simple Flask backend where students submit assignments with a title and a grade; grade must be between 0 "
      "and 100", FAITHFUL),
    M("CLI tool to keep a journal: entries with date, mood and text, with --search", FAITHFUL),
    M("A command line app that counts words in a text file", FAITHFUL),
    M("Python library with functions to validate credit card numbers and email addresses", FAITHFUL),
    M("A script that reads grades.csv with columns student, subject and score and prints the average score per "
      "subject", FAITHFUL),
    M("Merge two CSV files by their id column", REFUSED, ("merge or join files",)),
    M("A landing page for a coffee shop with menu, opening hours and a contact form", FAITHFUL),
    M("A browser page where I can keep a list of my plants with name, species and last_watered", FAITHFUL),
    M("A stopwatch web page with lap times", FAITHFUL),
    M("An API in PHP for a blog", REFUSED, ("PHP",)),
    M("A Kotlin command line tool that converts CSV to JSON", REFUSED, ("Kotlin",)),
    M("A Slack bot that posts daily standup reminders", REFUSED, ("bot",)),
    M("Create a recommendation engine using collaborative filtering", REFUSED, ("machine-learning",)),
    M("A REST API for a library with books and members where members can borrow and return books", FLAGGED,
      ("can borrow", "return books")),
    M("An API for a parking garage: spots with number and level, tickets with plate and entered_at; level must be "
      "at least 0", FAITHFUL),
    M("An inventory API with products; sku must be unique; quantity cannot be negative", FLAGGED,
      ("sku must be unique",)),
    M("A todo app with user accounts, where each user only sees their own tasks", FLAGGED,
      ("records that belong to each user", "each user only sees their own tasks")),
    M("Build an e-commerce API with products, categories and orders, with pagination, sorting and JWT "
      "authentication, using PostgreSQL", FLAGGED, ("store data in postgresql",)),
    # fourth batch: written after the third batch's fixes and the state actions, run once before any change for
    # them. 5 of 20 were wrong then: a landing page's gallery and pricing sections dropped (testimonials kept),
    # "users can RSVP to events" dropped, "search by ingredient" marked met though ingredients were not searched,
    # a Twitter clone presented as its four tables, "stock is decremented when an order ships" dropped
    M("A REST API for a gym with trainers and classes; each class belongs to a trainer; capacity must be at least 1",
      FLAGGED, ("capacity must be at least 1",)),
    M("A Flask API to track my reading: books with title, author, pages and finished; users can archive a book",
      FAITHFUL),
    M("A CLI password manager that stores passwords encrypted with a master password", REFUSED, ("encryption",)),
    M("A command line tool to convert miles to kilometers and pounds to kilograms", FAITHFUL),
    M("An API that sends a welcome email when a user registers", REFUSED, ("Cannot serve",)),
    M("A small python library with a Stack and a Queue class", FAITHFUL),
    M("A script that reads sales.csv and plots monthly revenue as a chart", REFUSED, ("charts or plots",)),
    M("A landing page for a photography studio with gallery, pricing and testimonials", FAITHFUL),
    M("A web page to track my daily water intake with amount and drunk_at", REFUSED, ("Cannot serve",)),
    M("An API for events with name, date and location, where users can RSVP to events", FLAGGED,
      ("users can rsvp to events",)),
    M("A Go CLI that pings a list of hosts", REFUSED, ("Go",)),
    M("A JavaScript todo app in the browser with tasks that have a title and a done flag", FAITHFUL),
    M("A FastAPI service that exposes a /health endpoint and a /version endpoint", REFUSED, ("Cannot serve",)),
    M("A REST API for recipes with title and ingredients; title must be unique; search by ingredient", FLAGGED,
      ("search by ingredient",)),
    M("A python script that reads expenses.csv with columns category and amount and reports the total amount per "
      "category", FAITHFUL),
    M("A Django app for a school with students, teachers and classes", FLAGGED, ("use Django",)),
    M('Build a Twitter clone with users, tweets, followers and likes', REFUSED, ('Cannot serve',)),
    M("An inventory system for a warehouse where stock is decremented when an order ships", FLAGGED,
      ("stock is decremented when an order ships", "suppliers")),
    M("A tic tac toe web page", REFUSED, ("Cannot write a game",)),
    M("Write a CLI that fetches the weather for a city from an API", REFUSED, ("Cannot serve",)),
    # fifth batch: written after the fourth batch's fixes, run once before any change for them. 6 of 20 were
    # wrong then: SMS reminders, "members vote on the next book", "sorted by score" (no entity had a score),
    # "like Splitwise", a markdown note-taking app served as a list of tags, and click analytics, all dropped
    M("A REST API for a bakery with cakes (name, price, flavor) and orders; price must be positive; "
      "customers can cancel an order", FAITHFUL),
    M("An API for a dentist office where patients book appointments and receive SMS "
      "reminders", FLAGGED, ("SMS or push notifications", "patients book appointments and receive sms reminders",
                            "doctors")),
    M("A Flask API for a book club with members, books and meetings, where members vote on the next book", FLAGGED,
      ("members vote on the next book",)),
    M("A CLI that renames files in a folder to lowercase", REFUSED,
      ("Cannot write a program that renames, moves or sorts the files of a folder",)),
    M("Python library for parsing and validating semantic version strings like 1.2.3", REFUSED, ("Cannot serve",)),
    M("A CSV script that reads transactions.csv with columns date, account and amount and reports the "
      "total amount per account", FAITHFUL),
    M("A personal blog website with posts, about and contact sections", FLAGGED, ("about", "contact sections")),
    M("A single page app for a shopping list with item, quantity and "
      "bought", FLAGGED, ("the page the prompt describes",)),
    # faithful until gen13's accounting: the countdown page does not count down to New Year, and now says so
    M("A countdown timer page for new year", FLAGGED, ("a countdown timer page for new year",)),
    M("An API for a hotel with rooms and guests, rooms have number, floor and price_per_night, with "
      "pagination and search", FAITHFUL),
    M("Write a Rust web server that serves static files", REFUSED, ("Cannot write this in Rust",)),
    M("A leaderboard API for a game with players and scores, sorted by score", FLAGGED, ("sorted by score",)),
    M("An API for a car dealership with cars (make, model, price) and salespeople; each car belongs "
      "to a salesperson; only admins can delete cars", FLAGGED, ("roles and permissions",)),
    M("An expense splitting app like Splitwise for groups of friends", FLAGGED, ("like Splitwise",)),
    M("A REST API for a library where overdue loans are flagged automatically every "
      "night", FLAGGED, ("overdue loans are flagged automatically every night", "authors")),
    M("A markdown note taking web app with tags", FLAGGED, ("a notes project", "markdown rendering")),
    M("A CLI to track workouts with exercise, sets, reps and weight, with --sort and --limit", FAITHFUL),
    M("A Python module with functions to compute the mean and standard deviation of a list", FAITHFUL),
    M('A URL shortener with click analytics', REFUSED, ('Cannot serve',)),
    M("An API to manage employees with name, email and salary; email must be unique; salary must be "
      "at least 0", FAITHFUL),
    # batch six (issue 13's report routes, uniqueness, parent links and CSV operations; docs/generators.md)
    M("A FastAPI app for a small shop with orders (customer, region, total, status); GET /summary returns total per "
      "region", FAITHFUL),
    M("An API for invoices with number, amount, due_date and paid, plus a route that lists overdue invoices", FAITHFUL),
    M("Flask API for support tickets with title, priority and status, and GET /stats with the count per status",
      FAITHFUL),
    M("A REST API for employees and departments; each employee belongs to a department; email must be unique",
      FAITHFUL),
    M("aiohttp API to manage products with sku, name and price; sku must be unique and price must be positive",
      FAITHFUL),
    M("A membership API where username is unique and members have username, email and joined_on", FAITHFUL),
    M("Build an API for a music library with artists and albums; albums belong to an artist; title is required",
      FAITHFUL),
    M("A script that reads customers.csv, removes duplicate rows and writes the result", FAITHFUL),
    M("Read orders.csv with columns order_id, customer, country and amount, keep only the rows where country is "
      "Germany, and sum amount by customer", FAITHFUL),
    M("A python script that loads scores.csv (player, game, points) and prints the top 5 players by points", FAITHFUL),
    M("CSV tool: group inventory.csv by warehouse and count the items in each, sorted by count", FAITHFUL),
    M("A script to compute the average price per category from products.csv with columns name, category and price",
      FAITHFUL),
    M('Take a CSV of transactions and convert it to JSON', REFUSED, ('Cannot serve',)),
    M("A command line tool to keep track of my books with title, author and year, with --search", FAITHFUL),
    M("A landing page for a yoga studio with classes, schedule and a contact form", FAITHFUL),
    M("A python library with a function to parse durations like 1h30m into seconds", REFUSED, ("Cannot serve",)),
    M("An API for a coworking space with desks and bookings; a booking belongs to a desk; users can cancel a booking",
      FAITHFUL),
    M("A REST API that returns the number of tasks per project, with projects and tasks where each task belongs to a "
      "project", FAITHFUL),
    M("An API for a bike rental: bikes (model, hourly_rate) and rentals (started_at, ended_at); hourly_rate must be "
      "at least 1", FAITHFUL),
    M("A web page to keep a list of movies I want to watch with title and year", FLAGGED,
      ("year", "a webpage to keep a list of movies i want to watch with title and year", "reviews")),
    M("Build a Java Spring Boot API for a library", REFUSED, ("Spring Boot",)),
    M("Make a flask api for a blog where slug is unique, posts have title, slug and body", FAITHFUL),
    # batch seven: 20 prompts written before any run (commit c983c71), measured on their first run in docs/generators.md
    M('Build a URL shortener API with FastAPI: POST a long URL, get a short code, GET /{code} redirects', REFUSED, ('Cannot serve',)),
    M('A command-line tool that renames all photos in a folder by the date they were taken', REFUSED, ('Cannot write a program that renames, moves or sorts the files of a folder',)),
    M('Make a simple weather dashboard web page that shows the forecast for a city', REFUSED, ('Cannot serve',)),
    M("Create a REST API for a dentist's appointments with patients, dentists and appointments; an appointment cannot be in the past", FLAGGED, ('appointment must not be in the past',)),
    M('Python script that reads a CSV of employees (name, department, salary) and prints the average salary per department', FAITHFUL),
    M('Write a Discord bot that replies to !ping with pong', REFUSED, ('Cannot write a chat bot',)),
    M('A to-do CLI where I can add, list, complete and delete tasks, saved to a JSON file', FAITHFUL),
    M('An API for a movie watchlist where users sign up, log in and rate movies from 1 to 5', FLAGGED, ('reviews',)),
    M('Create a Node.js Express server with a /health endpoint', REFUSED, ('Cannot write this in Express',)),
    M('A Python library with a function that checks whether a string is a valid IPv4 address', FLAGGED, ('string must be a valid ipv4',)),
    M('A landing page for a coffee shop with a menu, opening hours and a contact form', FAITHFUL),
    M('Build a REST API for a parking garage: spots (number, level, size) and tickets; a ticket belongs to a spot', FAITHFUL),
    M('Script to merge two CSV files on the email column', REFUSED, ('Cannot serve',)),
    M('Make a snake game in the browser', REFUSED, ('Cannot write a game',)),
    M("An API to manage a warehouse's stock with products (sku, name, quantity) where sku must be unique and quantity can't be negative", FAITHFUL),
    M('A Python CLI that converts Markdown files to HTML', REFUSED, ('Cannot serve',)),
    M('A GraphQL API for a bookstore', REFUSED, ('Cannot write a GraphQL, gRPC or SOAP API',)),
    # refused until gen13's number functions recipe
    M('Write a function that returns the nth Fibonacci number, with tests', FAITHFUL),
    M('An API for a conference: talks (title, speaker, room, starts_at) and attendees who can register for a talk', FLAGGED, ('can register for a talk',)),
    M('Build me a personal finance tracker with income and expenses and a monthly summary', FLAGGED, ('income', 'monthly summary',)),
    # issue 13 item 2: named data structures and small formats (the data-structures and formats recipes)
    M("A python library with an LRU cache that has a capacity and evicts the least recently used entry", FAITHFUL),
    M("a python package with a priority queue, a linked list and a binary search tree", FAITHFUL),
    M("A command line tool that completes words from a list using a trie", FAITHFUL),
    M("A python library to convert roman numerals to integers and back, with validation", FAITHFUL),
    M("a python module to parse INI config files with sections, comments and typed getters", FAITHFUL),
    M("A Python library to format byte sizes in human readable form like 1.5 MB and parse them back", FAITHFUL),
    M("A CLI that converts numbers to roman numerals and back", FAITHFUL),
    M("A python library with a graph and a stack", FLAGGED, ("graph",)),
    M("A python library for parsing YAML files and roman numerals", FLAGGED, ("yaml",)),
    # gen13: "a function that ..." wording and the functions added for it (number functions, anagrams, phone
    # numbers), written by the engineer who built them: they measure that the recipes hold, not prompts in general
    M("a python function to compute the factorial of a number", FAITHFUL),
    M("Write a function that checks if a number is prime", FAITHFUL),
    M("A python function to check whether a word is a palindrome", FAITHFUL),
    M("A python function that checks whether two words are anagrams", FAITHFUL),
    M("a python function that validates phone numbers", FAITHFUL),
    # refused until the algorithms recipe (issue 13: merge sort and quicksort among its everyday functions)
    M("Write a function that sorts a list using merge sort", FAITHFUL),
    # batch eight (30 prompts by an engineer who never saw the generator, tests/generators/batch_eight.txt): 7 were
    # wrong on their first run (docs/generators.md, "Batch eight"); these are the verdicts after the fixes
    # for their classes (route methods, status responses and possessives read as entities, listed names
    # absorbed, page behaviour served as sections, the kind changed without a word, a field list's "list of")
    M('Build a REST API for a library: books (title, author, isbn unique 13 digits, published_year), '
      "members (name, email), and loans. A member can have at most 3 active loans, a book can't be loaned "
      'out twice at the same time, and returning a book sets returned_at. Use Express and SQLite.', FLAGGED,
      (
       'use Express',
       'field published_year of books',
       '13 must be unique',
       'field published_year',
       'field returned_at',
       'isbn unique 13 digits',
       'a member can have at most 3 active loans',
       'a book cannot be loaned out twice at the same time',
      )),
    M('make me a todo app', FAITHFUL),
    M('I need a Python script that reads a CSV of sales (date, region, product, units, unit_price) and writes total revenue per region per month to a new CSV, sorted by month.', FLAGGED, ('sorting', 'group by month', 'sorted by month')),
    M('Create a landing page for my coffee shop "Bean There" with a hero section, a menu with prices, '
      'opening hours, and a contact form. Warm brown colors, mobile friendly.', FLAGGED,
      (
       'create a landing page for my coffee shop "bean there" with a hero section',
       'Warm brown colors, mobile friendly',
      )),
    M('Write a CLI tool in Go that takes a directory and finds duplicate files by hash, with a --delete '
      'flag that keeps the oldest copy and a --dry-run option.', REFUSED,
      ('Cannot write this in Go',)),
    M('FastAPI backend for a notes app with JWT auth. Users register with email + password (min 8 chars), '
      'log in, and CRUD their notes (title required, max 200 chars, body, list of tags). Each user only '
      "sees their own notes; accessing someone else's note should return 404. Add search by tag.", FLAGGED,
      (
       'field body of notes',
       'field tags of notes',
       'records that belong to each user',
       'search by tag',
       'users register with email + password',
       'min 8 chars',
       'title required',
       'max 200 chars',
       "accessing someone else's note should return 404",
      )),
    M('snake game in javascript', REFUSED,
      ('Cannot write a game',)),
    M('Write a function that validates a credit card number with the Luhn algorithm and returns the card '
      'type (Visa, Mastercard, Amex) or invalid.', FLAGGED,
      ('write a function that validates a credit card number with the luhn algorithm and returns the card '
       'type', 'visa', 'mastercard', 'amex', 'or invalid')),
    M('discord bot in python that gives users XP for messages, with a /rank command and a /leaderboard '
      'command', REFUSED,
      ('Cannot write a chat bot',)),
    M('I need a scraper that grabs all product names and prices from a category page on an ecommerce site '
      'and saves them to csv, handling pagination.', REFUSED,
      ('Cannot write a web crawler or scraper',)),
    M('Build an expense tracker REST API: categories, expenses (amount > 0, date, category_id, note), and a'
      ' GET /reports/monthly?month=2024-05 endpoint that returns totals by category. Node + Postgres, and '
      'return 400 with per-field messages on validation errors.', FLAGGED,
      (
       'use Node.js',
       'store data in postgres',
       'GET /reports/monthly',
       'and a get /reports/monthly?month=2024-05 endpoint that returns totals by category',
       'and return 400 with per-field messages on validation errors',
      )),
    M('Make a React dashboard with a sidebar, a line chart of revenue over time, a table of recent orders '
      'with search and pagination, and a dark mode toggle. Use fake data.', REFUSED,
      ('Cannot serve',)),
    M('python script to rename all photos in a folder by their EXIF date taken, like 2023-07-14_153022.jpg,'
      ' skip ones without exif', REFUSED,
      ('Cannot write a program that renames, moves or sorts the files of a folder',)),
    M('Create a Flutter app for tracking habits: add a habit, mark it done each day, show the streak count,'
      ' store everything locally.', REFUSED,
      ('Cannot write this in Flutter',)),
    M('Write a small TypeScript library for parsing and formatting durations like "1h 30m" <-> seconds, '
      'with tests.', REFUSED,
      ('Cannot write this in TypeScript',)),
    M('Can you make a simple chat app with rooms using socket.io? Users pick a nickname, join a room, see '
      "who's online, and get messages in real time.", REFUSED,
      ('Cannot write a real-time service',)),
    M('API for a veterinary clinic: owners, pets (species one of dog/cat/bird/other, birth date not in the '
      "future), vets, and appointments. Appointments are 30 min, a vet can't have overlapping appointments,"
      " and you can't book in the past. Endpoints: POST /appointments, GET /vets/:id/schedule?date=, DELETE"
      " /appointments/:id (only allowed if it's more than 24h away).", FLAGGED,
      (
       'GET /vets/:id/schedule',
       'birth date not in the future',
       'appointments are 30 min',
       'a vet cannot have overlapping appointments',
       'and you cannot book in the past',
       "only allowed if it's more than 24h away",
      )),
    M('bash script that backs up my postgres db every night, gzips it, and deletes backups older than 14 '
      'days', REFUSED,
      ('Cannot write this in Bash',)),
    M('Train a model to predict house prices from a csv (sqft, bedrooms, bathrooms, zipcode, year_built, '
      'price). Show evaluation metrics and save the model so I can load it later.', REFUSED,
      ('Cannot write a machine-learning program',)),
    M('portfolio website for a photographer with a masonry gallery and lightbox', FLAGGED,
      ('masonry', 'lightbox')),
    M('I need a command line password generator in Rust with options for length, symbols on/off, excluding '
      'ambiguous characters, and generating several at once.', REFUSED,
      ('Cannot write this in Rust',)),
    M('Build a URL shortener: POST a long URL and get a 6-char short code, redirect on GET /:code, count clicks, and let logged-in users see stats for their own links only. Custom aliases are optional but must be unique and alphanumeric.', REFUSED, ('Cannot serve',)),
    M('Write a Java Spring Boot service for managing employees and departments. Employee has name, email '
      '(unique), salary (positive), hire date, and belongs to one department. Include GET '
      '/departments/{id}/employees and pagination + sorting on /employees.', REFUSED,
      ('Cannot write this in Spring Boot',)),
    M('telegram bot that sends me the weather every morning at 8 for my city', REFUSED,
      ('Cannot write a chat bot',)),
    M('merge a bunch of excel files in a folder into one sheet and add a column with the source filename', REFUSED, ('Cannot serve',)),
    M('Kanban board like Trello with drag and drop columns and cards, saved in localStorage', FLAGGED,
      ('like Trello', 'drag and drop', 'kanban board like trello with drag and drop columns and cards',
       'a kanban board')),
    M('write a function to deep merge two objects in javascript, arrays should be concatenated', REFUSED,
      ('Cannot write this in JavaScript',)),
    M('Make a multi-tenant backend for an event ticketing system: organizations, events (name, venue, '
      'start/end where end > start, capacity), ticket types with price and quantity, and orders. Org admins'
      " can only manage their own org's events; customers can buy tickets but never beyond the available "
      'quantity, and an order that would exceed capacity must fail as a whole. Include a Stripe checkout '
      'webhook that marks orders paid.', FLAGGED,
      (
       'field capacity of events',
       'a ticketing system',
       'customers can buy tickets',
       'roles and permissions',
       'payments',
       'calling external services or APIs',
       'records that belong to each user',
       'end > start',
       'make a multi-tenant backend for an event ticketing system',
       'never beyond the available quantity',
       'and an order that would exceed capacity must fail as a whole',
      )),
    M('tetris in python with pygame', REFUSED,
      ('Cannot write a game',)),
    M('Create a log analyzer CLI that reads nginx access logs and prints the top 10 IPs, top endpoints, '
      'status code counts, and requests per hour. It should accept a file or stdin and have a --json output'
      ' option.', FAITHFUL),
    # batch nine (40 prompts by an engineer who never saw the generator, tests/generators/batch_nine.txt): 6 were
    # wrong on their first run (docs/generators.md, "Batch nine"); these are the verdicts after the fixes for their classes
    M('REST API for a small library: books (title, author, isbn, published_year), members (name, email) and'
      " loans. A member can't have more than 3 active loans, return 409 if they try to borrow a 4th. GET "
      '/books should support ?author= filter. Use Express and SQLite.', FLAGGED,
      (
       'use Express',
       'to borrow a 4',
       'a member cannot have more than 3 active loans',
       'return 409 if they try to borrow a 4th',
      )),
    M('flask api for todo items with due dates', FLAGGED,
      (
       'due dates',
      )),
    M('I need a Django REST endpoint for managing my job applications: company, position, status (applied, '
      'interview, offer, rejected), applied_on date. Status must be one of those values otherwise return '
      '400. Also add pagination, 20 per page.', FLAGGED,
      (
       'use Django',
       'status must be one of those values otherwise return 400',
       '20 per page',
      )),
    M('Go HTTP server with CRUD for products stored in memory, name is required, price must be > 0, return '
      '404 when the id is not found', REFUSED,
      ('Cannot write this in Go',)),
    M('Spring Boot REST controller for an Employee entity with id, firstName, lastName, email, department. '
      'email must be unique. Use H2 database', REFUSED,
      ('Cannot write this in Spring Boot',)),
    M('build an api to track my gym workouts. each workout has a date and exercises with sets, reps, '
      'weight. want an endpoint that gives total volume per week', FLAGGED,
      (
       'an endpoint that gives total volume per week',
      )),
    M('FastAPI service for a parking garage: endpoints to check in a car by license plate, check out, and '
      'compute the fee ($2/hour, first 30 min free, max $20 per day). Reject check-in if the garage is full'
      ' (capacity 50) or the plate is already inside.', REFUSED,
      ('Cannot serve',)),
    M('crud api for recipes with ingredients, node', FLAGGED,
      (
       'use Node.js',
      )),
    M('Rust actix-web API for short URLs: POST /shorten takes {"url": ...} and returns a 6 character code, '
      'GET /{code} redirects with 302, unknown code returns 404. Validate that the url starts with http:// '
      'or https:// and return 400 otherwise.', REFUSED,
      ('Cannot write this in Actix',)),
    M('Inventory management backend with warehouses, items and stock movements (in/out). Stock for an item '
      'in a warehouse can never go negative, reject the movement with 422 and an error message explaining '
      'why. Add an endpoint that returns current stock per warehouse and one that lists movements for an '
      'item between two dates. TypeScript + Express please, with jest tests for the main routes and input '
      'validation using zod. Also add pagination to the movements list.', FLAGGED,
      (
       'use Express',
       'an endpoint that returns current stock per warehouse and one that lists movements for an item '
       'between two dates',
       'stock movements must be one of in or out',
       'stock for an item in a warehouse can never go negative',
       'reject the movement with 422 and an error message explaining why',
       'typescript + express please',
       'with jest tests for the main routes and input validation using zod',
      )),
    M('todo app in react', FLAGGED,
      (
       'use react',
      )),
    M('landing page for my coffee shop, dark theme, menu section, opening hours, map placeholder', FLAGGED,
      (
       'dark theme',
      )),
    M('Make a pomodoro timer web page with start/pause/reset, 25/5 minute cycles and a sound when the timer ends. Plain HTML/CSS/JS, no frameworks', REFUSED, ('Cannot serve',)),
    M('vue component that shows a sortable, filterable table of users fetched from /api/users', REFUSED, ('Cannot serve',)),
    M('personal portfolio site with a projects grid and a contact form', FAITHFUL),
    M('A kanban board like trello: drag and drop cards between To Do, In Progress and Done columns, '
      'add/edit/delete cards, save everything to localStorage', FLAGGED,
      (
       'drag and drop',
       'a kanban board like trello',
       'drag and drop cards between to do',
       'a kanban board with columns To Do, In Progress and Done',
      )),
    M('mortgage calculator page with inputs for principal, interest rate and years, show the monthly '
      'payment and a full amortization table', REFUSED,
      ('Cannot serve', 'a mortgage calculator')),
    M('weather dashboard using the openweathermap api, search by city, show current weather and a 5 day '
      'forecast', REFUSED,
      ('Cannot write a client of an outside web service',)),
    M('python script that renames all photos in a folder by their EXIF date taken, format '
      "YYYY-MM-DD_HHMMSS.jpg, skip files without exif data and don't overwrite if the name already exists", REFUSED,
      ('Cannot write a program that renames, moves or sorts the files of a folder',)),
    M('CLI tool in Go that counts lines of code per language in a directory, with --exclude and --json '
      'flags', REFUSED,
      ('Cannot write this in Go',)),
    M('convert csv to json', REFUSED,
      ('Cannot serve',)),
    M('write a bash script to back up my ~/Documents folder to an external drive every night and keep only '
      'the last 7 backups', REFUSED,
      ('Cannot write this in Bash',)),
    M('log parser: read nginx access logs, output the top 10 IPs, top 10 paths, and the count of 4xx/5xx '
      'responses per hour. should accept --file and --since arguments', FAITHFUL),
    M('write a function that checks if a string is a valid IPv4 address', FLAGGED,
      (
       'string must be a valid ipv4',
      )),
    M('implement an LRU cache in Java with get and put in O(1)', REFUSED,
      ('Cannot write this in Java',)),
    M('TypeScript debounce function with proper generic types and a cancel method', REFUSED,
      ('Cannot serve',)),
    M('function to merge overlapping intervals in python, with unit tests', FAITHFUL),
    M("I have a CSV of sales (date, region, product, units, revenue). Write a pandas script that gives monthly revenue by region, plots it as a line chart, and flags any month where a region's revenue dropped more than 20% vs the previous month.", REFUSED, ('Cannot serve',)),
    M('analyze my bank statement csv and categorize the expenses', REFUSED,
      ('Cannot serve',)),
    M('discord bot that replies with a random joke when someone types !joke', REFUSED,
      ('Cannot write a chat bot',)),
    M('scrape product names and prices from an ecommerce site and save them to csv, handle pagination', REFUSED,
      ('Cannot write a web crawler or scraper',)),
    M('snake game js', REFUSED,
      ('Cannot write a game',)),
    M('tic tac toe in python for the terminal, two players, also an option to play against the computer', REFUSED,
      ('Cannot write a game',)),
    M('Real-time chat app with Node and socket.io: rooms, usernames, show "user is typing...", keep the '
      'last 50 messages per room in memory so new joiners see history', REFUSED,
      ('Cannot write this in JavaScript',)),
    M('add JWT login and register to my express app. passwords hashed with bcrypt, token expires in 1 hour,'
      ' protected route GET /me returns the current user. return 401 on missing or invalid token', REFUSED,
      ('Cannot write this in Express',)),
    M('password reset flow with email token in flask', REFUSED,
      ('Cannot serve',)),
    M('write a poem about debugging at 3am', REFUSED,
      ('Cannot serve',)),
    M('build me an iOS and Android app for food delivery with push notifications, live driver tracking on a'
      ' map, and Stripe payments', REFUSED,
      ('Cannot write a mobile app',)),
    M('train a neural network to predict stock prices from twitter sentiment', REFUSED,
      ('Cannot write a machine-learning program',)),
    M('a 3D open-world racing game like forza that runs in the browser', REFUSED,
      ('Cannot write a game',)),
    # batch ten (40 prompts by the same engineer, kept unread until its one measurement, tests/generators/batch_ten.txt): 6
    # were wrong on their first run (docs/generators.md, "Batch ten"); these are the verdicts after the fixes for their classes
    M('REST API for a veterinary clinic: owners, pets (name, species, birth_date, owner_id) and '
      "appointments. An appointment can't be booked in the past or overlap another appointment for the same"
      ' vet, return 409 on overlap. Deleting an owner who still has pets should fail. Express + Postgres.', FLAGGED,
      (
       'use Express',
       'store data in postgres',
       'an appointment cannot be booked in the past or overlap another appointment for the same vet',
       'return 409 on overlap',
       'still has pets should fail',
      )),
    M('simple notes api in flask with sqlite', FAITHFUL),
    M('Create a Go REST API for event ticketing. Events have name, venue, date, capacity. POST '
      '/events/{id}/tickets buys a ticket, return 400 if sold out. GET /events?upcoming=true only returns '
      'future events.', REFUSED,
      ('Cannot write this in Go',)),
    M('spring boot crud for customers and orders (one to many) with validation, email must be a valid '
      'format and quantity >= 1', REFUSED,
      ('Cannot write this in Spring Boot',)),
    M('Django app for a school: students, courses, enrollments and grades (0-100). Add an endpoint that '
      "returns a student's GPA. Enrolling twice in the same course should fail with a clear error.", FLAGGED,
      (
       'use Django',
       'grades must be between 0 and 100',
       "an endpoint that returns a student's gpa",
       'clear error',
       'enrolling twice in the same course should fail with a clear error',
      )),
    M('api for a book club where members can rate books 1-5 stars, and the average rating is shown on each '
      'book', REFUSED,
      ('Cannot serve',)),
    M('FastAPI bug tracker: issues with title, description, priority (low/medium/high/critical), status '
      '(open/in_progress/closed) and assignee. Filter by status and priority, sort by created date, '
      'paginate with limit/offset. Closing an issue requires a resolution field, otherwise 422. Title max '
      '120 chars.', FLAGGED,
      (
       'sort by created',
       'paginate with limit/offset',
       'closing an issue requires a resolution field',
       'otherwise 422',
       'title max 120 chars',
      )),
    M('node api for expenses, also add a monthly totals endpoint', FLAGGED,
      (
       'use Node.js',
       'also add a monthly totals endpoint',
      )),
    M('Rust axum service that stores key value pairs with a TTL: PUT /kv/:key with a body and optional '
      'ttl_seconds, GET /kv/:key returns 404 if missing or expired, DELETE /kv/:key', REFUSED,
      ('Cannot write this in Axum',)),
    M('Hotel booking REST API in TypeScript with NestJS. Entities: rooms (number, type single/double/suite,'
      ' price per night), guests (name, email, phone) and reservations. check_out must be after check_in, a'
      " room can't be double booked for overlapping dates, and cancellation is only allowed until 24h "
      'before check-in, after that return 403. GET /rooms/available?from=&to= lists free rooms. Include '
      'swagger docs and seed data.', REFUSED,
      ('Cannot write this in TypeScript',)),
    M('make a calculator website', FAITHFUL),
    M('responsive pricing page with three tiers (Free, Pro, Enterprise) and a monthly/yearly toggle that '
      'shows a 20% discount for yearly, use tailwind', FLAGGED,
      (
       'use tailwind',
       'responsive pricing page with three tiers',
       'and a monthly/yearly toggle that shows a 20% discount for yearly',
      )),
    M('React quiz app: load questions from a JSON file, multiple choice, 15 second timer per question, show the score and the correct answers at the end', FLAGGED, ('use react', 'a quiz app', 'load questions from a json file', 'multiple choice', '15 second timer per question', 'show the score and the correct answers at the end')),
    M('markdown editor with live preview side by side', REFUSED,
      ('Cannot serve',)),
    M('Svelte habit tracker where I can add habits, check them off each day and see a streak count', FLAGGED,
      (
       'use svelte',
       'check them off each day and see a streak count',
      )),
    M('an image gallery with a lightbox and lazy loading', REFUSED,
      ('Cannot serve',)),
    M('signup form with client-side validation: email, password (min 8 chars, at least one number and one '
      'uppercase letter), confirm password must match, show errors inline under each field and disable '
      'submit until valid', REFUSED,
      ('Cannot serve',)),
    M('admin dashboard in next.js with a sidebar, a chart of daily signups and a users table with search', FLAGGED,
      (
       'use next.js',
       'search',
       'the page the prompt describes',
       'analytics',
       'sidebar',
       'a chart of daily signups and a users table with search',
      )),
    M('python script to find duplicate files in a directory by hash and optionally delete them, --dry-run '
      'should be the default', REFUSED,
      ('Cannot serve',)),
    M('Rust CLI that converts between YAML, JSON and TOML, detects the input format from the file '
      'extension, --out flag for the output file, prints to stdout otherwise', REFUSED,
      ('Cannot write this in Rust',)),
    M('script that watches my Downloads folder and moves new files into subfolders by type (images, pdfs, '
      'videos, archives)', REFUSED,
      ('Cannot write a program that renames, moves or sorts the files of a folder',)),
    M('command-line todo list manager in node: add, list, done <id>, remove <id>, stored in a json file in '
      'the home dir', REFUSED,
      ('Cannot write this in JavaScript',)),
    M('bulk resize images to 800px wide', REFUSED,
      ('Cannot serve',)),
    M('write a function that converts roman numerals to integers and back', FAITHFUL),
    M('implement a trie in go with Insert, Search and StartsWith', REFUSED,
      ('Cannot write this in Go',)),
    M('Python function parse_duration("1h30m15s") that returns seconds as an int and raises ValueError on '
      'invalid input like "1x" or an empty string', REFUSED,
      ('Cannot serve',)),
    M('binary search tree in C++ with insert, delete and in-order traversal', REFUSED,
      ('Cannot write this in C++',)),
    M('read a JSON file of survey responses and print the average age, the most common answer for each '
      'question, and export a summary csv', REFUSED,
      ('Cannot serve',)),
    M("clean a messy customers csv with pandas: dedupe by email (case insensitive), normalize phone numbers to E.164, fix mixed date formats to ISO, and write the rows that couldn't be fixed to errors.csv", REFUSED, ('Cannot serve',)),
    M('telegram bot that reminds me to drink water every 2 hours, with /start and /stop commands', REFUSED,
      ('Cannot write a chat bot',)),
    M('scraper for the hacker news front page: title, points, link, number of comments, output as json', REFUSED,
      ('Cannot write a web crawler or scraper',)),
    M('breakout game with html canvas', REFUSED,
      ('Cannot write a game',)),
    M('java console hangman', REFUSED,
      ('Cannot write this in Java',)),
    M('collaborative whiteboard where multiple users can draw at the same time over websockets, each user '
      'gets a different color', REFUSED,
      ('Cannot write a real-time service',)),
    M('Implement OAuth login with Google and GitHub in a Next.js app and store sessions in a database', FLAGGED,
      (
       'use next.js',
       'token auth',
       'store data in database',
       'google',
       'implement oauth login with google and github in a next.js app and store sessions in a database',
      )),
    M("role based access control middleware for express: roles admin, editor, viewer. editors can't delete,"
      ' viewers are read only, return 403 otherwise', REFUSED,
      ('Cannot serve',)),
    M('write a cover letter for a junior developer job', REFUSED,
      ('Cannot serve',)),
    M('make an AI model that generates music from text prompts and train it on my spotify library', REFUSED,
      ('Cannot write a machine-learning program',)),
    M('instagram clone with stories, reels, DMs and video upload that scales to millions of users', REFUSED, ('Cannot serve',)),
    M("what's the difference between let and const in javascript", FLAGGED,
      (
       'the page the prompt describes',
       "what's the difference between let and const in javascript",
      )),
    # batch eleven (40 prompts by another engineer who never saw the generator or the earlier batches,
    # tests/generators/batch_eleven.txt): 5 were wrong on its one run (docs/generators.md, "Batch eleven"); these are
    # the verdicts after the fixes for their classes
    M('REST API in Express for a dog grooming salon. Customer (name, phone, email), Pet (name, breed, '
      'weight_kg must be > 0, owner_id), Groomer, Appointment (pet_id, groomer_id, start_time, service one '
      "of bath/trim/nails, price). A groomer can't have overlapping appointments, return 409 on conflict "
      "and 404 if the pet doesn't exist", FLAGGED,
      (
       'use Express',
       'field owner_id of pets',
       'field owner_id',
       'groomer',
       'a groomer cannot have overlapping appointments',
       'return 409 on conflict and 404 if the pet does not exist',
      )),
    M('flask api for logging beehive inspections. hives have name, location, queen_year. inspections have '
      'hive_id, date, frames_of_brood (0-20), mite_count, notes. also add pagination on GET /inspections '
      'and filter by hive', FLAGGED,
      (
       'filter by hive',
       'flask api for logging beehive inspections',
      )),
    M('FastAPI app for our makerspace tool checkout: tools (serial_number unique, name, category), members,'
      " checkouts. a tool that's already checked out can't be checked out again (return 400). add GET "
      '/checkouts/overdue for anything out longer than 7 days', FLAGGED,
      (
       'GET /checkouts/overdue',
       'payments',
       "a tool that's already checked out cannot be checked out again",
       'return 400',
       'add get /checkouts/overdue for anything out longer than 7 days',
      )),
    M('crud api for invoices in go', REFUSED,
      ('Cannot write this in Go',)),
    M('Spring Boot REST service for a car rental fleet. Vehicle: plate (unique), make, model, mileage, '
      'status AVAILABLE/RENTED/MAINTENANCE. Rental: vehicle, customer name, start and end date, end must be'
      ' after start. PATCH /vehicles/{id}/status. Return 422 with field errors on validation failures', REFUSED,
      ('Cannot write this in Spring Boot',)),
    M('REST API for a community garden: plots (number, size_sqm, raised_bed bool), gardeners, and plot '
      'assignments per season. one gardener can have max 2 plots per season. GET /plots?available=true '
      'should list unassigned plots for the current season', FLAGGED,
      (
       'rest api for a community garden: plots (number',
       'and plot assignments per season.',
       'one gardener can have max 2 plots per season',
       'get /plots?available=true should list unassigned plots for the current season',
      )),
    M('Django REST framework backend for a small vet clinic. owners, animals, vaccinations with date_given '
      'and next_due. endpoint that lists all vaccinations due in the next 30 days, sorted by date', FLAGGED,
      (
       'use Django',
       'endpoint that lists all vaccinations due in the next 30 days',
      )),
    M('Rails API for a food truck preorder system - menu items with price in cents and a sold_out flag, '
      'orders with pickup_time that has to be at least 15 minutes in the future. reject the whole order if '
      'any item is sold out', REFUSED,
      ('Cannot write this in Ruby on Rails',)),
    M('Erstelle eine REST-API mit Node.js für eine Fahrschule: Schüler, Fahrlehrer und Fahrstunden. Eine '
      'Fahrstunde dauert entweder 45 oder 90 Minuten, und ein Fahrlehrer darf nicht zwei Stunden '
      'gleichzeitig haben. Bitte mit SQLite.', REFUSED,
      ('Cannot serve',)),
    M("simple api for my band's setlists. songs have title, key, bpm, duration in seconds. a setlist is an "
      'ordered list of songs. need an endpoint that returns the total length of a setlist in mm:ss', FLAGGED,
      (
       'an endpoint that returns the total length of a setlist in mm:ss',
       'duration in seconds',
       'a setlist is an ordered list of songs',
      )),
    M('tip calculator in vue', REFUSED,
      ('Cannot serve', 'a tip calculator')),
    M('landing page for my pottery studio with a class schedule, prices, and a contact form. use tailwind, '
      'earthy colors', FLAGGED,
      (
       'use tailwind',
       'earthy colors',
      )),
    M("build a kanban board for a small print shop's job orders with columns Received, Proofing, Printing, "
      'Ready for pickup. drag and drop between columns, each card has customer name, quantity and due date,'
      ' save everything in localStorage', FLAGGED,
      (
       'drag and drop',
       "build a kanban board for a small print shop's job orders with columns received",
       'a kanban board with columns Received, Proofing, Printing and Ready for pickup',
       'drag and drop between columns',
       'each card has customer name',
       'quantity and due date',
      )),
    M('single html page with a countdown to our wedding on June 14 2025, our photo as the background and '
      'the days/hours/minutes in big letters', REFUSED,
      ('Cannot serve', 'a countdown to our wedding')),
    M('hazme una página web para una panadería con el menú de productos, precios y un botón para pedir por '
      'WhatsApp', REFUSED,
      ('Cannot serve',)),
    M("react dashboard for my home solar panels. load daily kWh from a json file, show a line chart of the last 30 days, a card with this month's total, and the best day ever", REFUSED, ('Cannot serve',)),
    M('svelte app for practicing hiragana flashcards, keep track of which ones I get wrong and show those more often', FLAGGED, ('use svelte', 'a flashcards app', 'svelte app for practicing hiragana flashcards', 'ones i get wrong and show those more often')),
    M('responsive pricing table with 3 tiers and a monthly/yearly toggle, yearly shows 20% off', REFUSED,
      ('Cannot serve',)),
    M('python script that renames all photos in a folder to their EXIF date taken like '
      "2023-08-14_153210.jpg. skip files with no exif, don't overwrite if the name already exists (add _1, "
      '_2), and add a --dry-run flag', REFUSED,
      ('Cannot write a program that renames, moves or sorts the files of a folder',)),
    M('cli tool to merge several CSV exports from my bank into one file. dedupe transactions by date+amount+description, sort by date. args: --input-dir, --output, --since YYYY-MM-DD', REFUSED, ('Cannot serve',)),
    M('bash script that looks through the nginx access log for 5xx responses in the last hour and emails me'
      ' a summary grouped by URL', REFUSED,
      ('Cannot write this in Bash',)),
    M('convert a folder of markdown files into one epub', REFUSED, ('Cannot serve',)),
    M('go program that tails a JSON lines log file and counts errors per service per minute, prints a table'
      ' every 10 seconds. flags -file and -level', REFUSED,
      ('Cannot serve',)),
    M('script to convert my garmin .gpx files to csv with lat, lon, elevation, time columns and print the '
      'total distance in km', FLAGGED,
      (
       'lat',
       'lon',
       'elevation',
       'time',
       'script to convert my garmin .gpx files to csv with lat',
       'time columns and print the total distance in km',
      )),
    M('write a function that takes a list of shift start/end times for one employee and returns total hours'
      ' worked per week, with anything over 40h counted as overtime at 1.5x pay', REFUSED,
      ('Cannot serve',)),
    M('implement an LRU cache in typescript with get, put and a fixed capacity, both O(1)', REFUSED,
      ('Cannot write this in TypeScript',)),
    M('function to validate a Norwegian national ID number (fødselsnummer) including both checksum digits', REFUSED,
      ('Cannot serve',)),
    M("write a python function that splits a restaurant bill among friends where some people didn't drink "
      'alcohol, and returns who owes whom with the minimum number of transfers', REFUSED,
      ('Cannot serve',)),
    M('interval tree in rust', REFUSED,
      ('Cannot serve',)),
    M('pandas script for my coffee shop sales csv (date, time, item, qty, unit_price). show the best selling items per weekday, revenue by month, and a heatmap of sales by hour and weekday', REFUSED, ('Cannot serve',)),
    M('script em python que lê um csv com as notas dos alunos, calcula média e mediana por disciplina, '
      'marca alunos com nota abaixo de 6 em duas ou mais matérias e exporta para excel com uma aba por '
      'turma', REFUSED,
      ('Cannot serve',)),
    M('discord bot that tracks D&D initiative order. commands: !init add <name> <roll>, !init next, !init '
      'remove <name>, !init clear. ties broken by dex modifier if given', REFUSED,
      ('Cannot write a chat bot',)),
    M('scrape used bike listings from a classifieds site and send me a telegram message when a road bike '
      "under 400 eur shows up, check every 15 minutes and don't alert twice for the same ad", REFUSED,
      ('Cannot write a web crawler or scraper',)),
    M('snake game in javascript', REFUSED,
      ('Cannot write a game',)),
    M('minesweeper in pygame with easy/medium/hard levels, right click to flag, and best times saved to a '
      'file', REFUSED,
      ('Cannot write a game',)),
    M('real-time auction page for a charity gala: everyone sees the current highest bid update live via '
      'websockets, a new bid must be at least $5 more than the current one, and bidding closes '
      'automatically at a set time', REFUSED,
      ('Cannot write a real-time service',)),
    M('add login to my express app: email + password, bcrypt hashing, JWT access tokens with refresh '
      'tokens, and lock the account for 15 minutes after 5 failed attempts', REFUSED,
      ('Cannot write this in Express',)),
    M('write me a cover letter for a junior data analyst position, I have a stats degree and 1 year of '
      'excel experience', REFUSED,
      ('Cannot serve',)),
    M('build a full instagram clone with reels, stories, DMs and an ML recommendation feed and deploy it to aws for me', REFUSED, ('Cannot serve',)),
    M("what's a good name for my cat", REFUSED,
      ('Cannot serve',)),
]


def report(measured: list[M] = MEASURED) -> str:
    """The Markdown of the report in docs/generators.md (between its "measured" markers)."""
    wrong = [m for m in measured if m.wrong]
    honest = [m for m in measured if not m.wrong]
    faithful = sum(1 for m in honest if m.verdict == FAITHFUL)
    flagged = sum(1 for m in honest if m.verdict == FLAGGED)
    refused = sum(1 for m in honest if m.verdict == REFUSED)
    summary = (
        f"Of {len(measured)} prompts: **{faithful} faithful**, **{flagged + refused} honestly flagged** "
        f"({flagged} completed with the missing requests marked, {refused} refused with what it can do), "
        f"**{len(wrong)} wrong**."
    )
    lines = [
        summary,
        "",
        "| prompt | verdict | marked substituted or unmet / refusal mentions |",
        "|---|---|---|",
    ]
    for m in measured:
        verdict = f"wrong: {m.wrong}" if m.wrong else m.verdict
        lines.append(f"| {m.prompt.replace('|', '/')} | {verdict} | {', '.join(m.flags)} |")
    return "\n".join(lines) + "\n"
