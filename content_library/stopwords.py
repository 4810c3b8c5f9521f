"""English function words: never a keyword for recommendations, never worth OR-ing into a fallback query."""

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on
once only or other our ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself yourselves also may must shall might within
without upon per via etc us new one two using used use make made get got well yet however thus therefore among
""".split())
