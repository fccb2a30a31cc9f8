"""What the field pack prints: the visit lists (:mod:`~cocoon.publish.printouts.visit_lists`), the
handout and door hanger (:mod:`~cocoon.publish.printouts.handout`) and the sign poster
(:mod:`~cocoon.publish.printouts.sign_poster`), each as an HTML page and a PDF."""
