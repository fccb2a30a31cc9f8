"""Two one-file maps (folium/Leaflet): ``map.html`` for the team, ``map-public.html`` for residents.

- :mod:`~cocoon.publish.maps.internal`: the team's map (zones, burglaries, households, routes, signs);
- :mod:`~cocoon.publish.maps.public`: the residents' map (zones and signs only, moved away from
  victims' homes), and :mod:`~cocoon.publish.maps.public_view`, which keeps its view and basemap
  corners to the privacy rule;
- :mod:`~cocoon.publish.maps.page`: what every page is made of (style, title, legend, escaping,
  popups, Leaflet inlined for offline pages);
- :mod:`~cocoon.publish.maps.basemap`: the offline basemap drawn from an OpenStreetMap extract,
  :mod:`~cocoon.publish.maps.street_labels`: where its street names go, and
  :mod:`~cocoon.publish.maps.basemap_layer`: both on a page;
- :mod:`~cocoon.publish.maps.routes` and :mod:`~cocoon.publish.maps.signs`: the officers' routes
  and the sign sites as map layers; :mod:`~cocoon.publish.maps.map_data`: what the maps show.

Everything shown is HTML-escaped, and popups are bound with JSON strings, so text from police
records can never run as code.
"""

from cocoon.publish.maps.basemap import Basemap, basemap_from_osm
from cocoon.publish.maps.internal import internal_map
from cocoon.publish.maps.map_data import MapData
from cocoon.publish.maps.public import public_map

__all__ = ["Basemap", "MapData", "basemap_from_osm", "internal_map", "public_map"]
