package io.tcpproxy.bench.bulk;

/**
 * Which way the bulk bytes flow.
 */
public enum Direction
{
    /** Client to upstream. */
    UPLOAD("upload"),
    /** Upstream to client. */
    DOWNLOAD("download");

    private final String label;

    Direction(final String label)
    {
        this.label = label;
    }

    /**
     * @return {@code upload} or {@code download}.
     */
    public String label()
    {
        return label;
    }
}
