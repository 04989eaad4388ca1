package io.tcpproxy.config;

/** The kind of value a {@link ConfigKey} takes (see {@link ConfigKey#kind()}). */
public enum KeyKind
{
    /** HOST:PORT. */
    ADDRESS,
    /** HOST:PORT or the empty string. */
    ADDRESS_OR_EMPTY,
    /** An integer within [min, max]. */
    INTEGER,
    /** true or false. */
    BOOLEAN,
    /** true, false, or one string out of {@link ConfigKey#choices()} (other than "true" and "false"). */
    BOOLEAN_OR_CHOICE,
    /** One string out of {@link ConfigKey#choices()}. */
    CHOICE,
    /** A string of a form {@link ConfigKey#expected()} describes. */
    STRING,
    /** An array of strings. */
    STRING_LIST
}
