"""Public coordinates for the map: municipality centres, campuses/ecosystems, knowledge
institutions and military sites. They are the seed data's own `lat`/`lon` columns (public
facts, each row with its source), read as files: no tile server, no network."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

SEED = Path(__file__).resolve().parents[2] / "ingest" / "data" / "seed"
KINDS = {
    "municipalities": "municipality",
    "ecosystems": "ecosystem",
    "knowledge_institutions": "institution",
    "military_facilities": "military",
}


@cache
def places() -> pd.DataFrame:
    """One row per place: kind, id, name, subkind, municipality, lat, lon, source."""
    frames = []
    for file, kind in KINDS.items():
        path = SEED / f"{file}.csv"
        if not path.exists():
            continue
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "lat" not in df or "lon" not in df:
            continue
        df = df.loc[(df["lat"] != "") & (df["lon"] != "")]
        frames.append(pd.DataFrame({
            "kind": kind,
            "id": df["id"],
            "name": df["name"],
            "subkind": df["kind"] if "kind" in df else "",
            "municipality": df["municipality"] if "municipality" in df else df["id"],
            "province": df["province"] if "province" in df else "",
            "lat": df["lat"].astype(float),
            "lon": df["lon"].astype(float),
            "source": df["source"],
        }))
    if not frames:
        return pd.DataFrame(columns=["kind", "id", "name", "subkind", "municipality",
                                     "province", "lat", "lon", "source"])
    return pd.concat(frames, ignore_index=True)


def municipalities() -> pd.DataFrame:
    p = places()
    return p[p["kind"] == "municipality"].reset_index(drop=True)
