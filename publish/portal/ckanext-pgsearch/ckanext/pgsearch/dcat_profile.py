"""``city_dcat``: the facts our datasets carry, in ckanext-dcat's RDF output.

ckanext-dcat's DCAT-AP 3 profile (``euro_dcat_ap_3``) reads its own key names
(``frequency``, ``temporal_start``, ``documentation``...). The publisher sends the
dictionary's facts under the platform's names (``publish/ckan/mapping.py``: the shared
contract the portal's fields are generated from), so this profile, run after DCAT-AP's,
adds them to each dataset of the graph:

- ``update_frequency`` -> ``dct:accrualPeriodicity`` (EU frequency vocabulary);
- ``temporal_coverage_start`` / ``_end`` -> ``dct:temporal`` (a ``dct:PeriodOfTime``);
- ``spatial_coverage`` -> ``dct:spatial`` (a ``dct:Location`` with a label);
- ``license_url`` -> ``dct:license`` on the dataset (DCAT-AP puts it on distributions,
  which ``ckanext.dcat.resource.inherit.license`` also turns on);
- ``data_dictionary_url`` and ``quality_report_url`` -> ``foaf:page`` documents (the
  column meanings and the latest quality and privacy gate results, served by the portal);
- each uploaded file's URL -> ``dcat:downloadURL`` of its distribution (DCAT-AP's profile
  writes one only from a ``download_url`` field; an upload's URL *is* the download);
- ``grain`` and ``limitations`` -> appended to ``dct:description``. The dataset page
  shows them once, as labelled fields, so the package's description (``notes``) does not
  repeat them; DCAT has no property for what one row is or what the data cannot tell,
  and many harvesters read only the description, so that is where they go (as in
  data.json: ``publish/catalog/dcat.py``, ``catalog_description``).

Enabled by ``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 city_dcat``.
"""

from __future__ import annotations

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import Namespace

from ckanext.dcat.profiles import DCAT, DCT, FOAF, RDF, SKOS, CleanedURIRef, RDFProfile
from ckanext.dcat.utils import resource_uri

SCHEMA = Namespace("http://schema.org/")
FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
# The dictionary's frequency names (dagster_project/lib/dictionary/vocabulary.py), which
# the portal receives as ``update_frequency``, in the EU vocabulary DCAT-AP asks for.
FREQUENCIES = {
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "yearly": "ANNUAL",
    "as needed": "IRREG",
}
PAGES = {
    "data_dictionary_url": "Data dictionary: what each column means",
    "quality_report_url": "Quality report: the latest quality and privacy checks",
}


class CityDCATProfile(RDFProfile):
    def _describe_facts(self, dataset_dict, dataset_ref) -> None:
        value = self._get_dataset_value
        facts = []
        if grain := value(dataset_dict, "grain"):
            facts.append(f"Grain: {grain}.")
        if limitations := value(dataset_dict, "limitations"):
            facts.append(f"Limitations: {limitations}")
        if not facts:
            return
        description = self.g.value(dataset_ref, DCT.description) or dataset_dict.get("notes")
        self.g.remove((dataset_ref, DCT.description, None))
        text = "\n\n".join([str(description or "").strip(), *facts]).strip()
        self.g.add((dataset_ref, DCT.description, Literal(text)))

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        self._describe_facts(dataset_dict, dataset_ref)
        value = self._get_dataset_value
        frequency = FREQUENCIES.get(value(dataset_dict, "update_frequency") or "")
        if frequency and not value(dataset_dict, "frequency"):
            self.g.add((dataset_ref, DCT.accrualPeriodicity, FREQUENCY[frequency]))
        start = value(dataset_dict, "temporal_coverage_start")
        end = value(dataset_dict, "temporal_coverage_end")
        if start or end:
            period = BNode()
            self.g.add((period, RDF.type, DCT.PeriodOfTime))
            self._add_date_triple(period, SCHEMA.startDate, start)
            self._add_date_triple(period, SCHEMA.endDate, end)
            self.g.add((dataset_ref, DCT.temporal, period))
        if spatial := value(dataset_dict, "spatial_coverage"):
            place = BNode()
            self.g.add((place, RDF.type, DCT.Location))
            self.g.add((place, SKOS.prefLabel, Literal(spatial)))
            self.g.add((dataset_ref, DCT.spatial, place))
        if licence := dataset_dict.get("license_url"):
            self.g.add((dataset_ref, DCT.license, URIRef(licence)))
        for key, title in PAGES.items():
            if url := value(dataset_dict, key):
                page = URIRef(url)
                self.g.add((page, RDF.type, FOAF.Document))
                self.g.add((page, DCT.title, Literal(title)))
                self.g.add((dataset_ref, FOAF.page, page))
        for resource in dataset_dict.get("resources", []):
            distribution = CleanedURIRef(resource_uri(resource))
            if resource.get("url_type") == "upload" and resource.get("url"):
                if (distribution, DCAT.downloadURL, None) not in self.g:
                    self.g.add((distribution, DCAT.downloadURL, URIRef(resource["url"])))

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        pass  # DCAT-AP's catalog description (title, homepage, language) is enough
