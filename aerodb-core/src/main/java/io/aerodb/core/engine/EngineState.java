package io.aerodb.core.engine;

import io.aerodb.core.authority.AuthorityState;
import io.aerodb.core.catalog.Catalog;

/**
 * What the store reflects after the last applied entry, published as one immutable value once the
 * entry's batch is written: a reader that sees an applied index also sees the catalog and authority
 * state of that index (or a newer one, never an older one).
 */
record EngineState(
    AppliedState applied,
    Catalog catalog,
    AuthorityState authority,
    long gcFloor,
    long idempotencyHorizon) {}
