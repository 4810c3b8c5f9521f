"""Account research: a polite bounded crawl of a company's website (``fetch``), extraction of firmographics,
people, technologies and trigger signals from its pages (``extract``), every fact with its source, stored so it
can be re-read offline and applied to the account. Qt-free."""
