"""What an officer carries on the phone: the officer's page (:mod:`~cocoon.publish.phone.officer_page`),
the routes as GPX for a map app (:mod:`~cocoon.publish.phone.gpx`) and the visit form for ODK
Collect / KoboToolbox (:mod:`~cocoon.publish.phone.xlsform`)."""
