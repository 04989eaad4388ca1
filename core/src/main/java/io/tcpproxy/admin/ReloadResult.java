package io.tcpproxy.admin;

import java.util.List;

/**
 * What a reload did.
 *
 * @param applied       true when the new configuration is in force (possibly without {@code needsRestart} keys).
 * @param error         why the reload was rejected (the same one-line error as at start), or null when applied.
 * @param needsRestart  changed keys that keep their old value until a restart, e.g. {@code workers (2 → 4)}.
 * @param changes       what changed and is now in force, e.g. {@code idle_timeout_secs (300 → 60)}; empty when
 *                      rejected or nothing changed.
 * @param hash          short hash of the configuration file now in force (the old one when rejected).
 */
public record ReloadResult(boolean applied, String error, List<String> needsRestart, List<String> changes, String hash)
{
    /** @return {@code applied} or {@code rejected}, the metric label. */
    public String result()
    {
        return applied ? "applied" : "rejected";
    }
}
