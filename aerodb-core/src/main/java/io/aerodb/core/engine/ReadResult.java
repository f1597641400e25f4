package io.aerodb.core.engine;

import io.aerodb.core.error.AeroError;
import io.aerodb.core.mvcc.DocumentVersion;
import java.util.Optional;

/**
 * The answer to a point read at one read view.
 *
 * @param viewIndex the commit index whose state the read saw
 * @param version the live version, if the document exists in the view
 * @param rejection set if the read itself was refused (e.g. unknown collection)
 */
public record ReadResult(long viewIndex, Optional<DocumentVersion> version, AeroError rejection) {}
