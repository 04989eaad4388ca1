package io.tcpproxy.config;

/** The PROXY protocol header sent to the upstream before any client byte ({@code send_proxy_protocol}). */
public enum SendProxyProtocol
{
    /** No header. */
    OFF,
    /** The text header (version 1). */
    V1,
    /** The binary header (version 2). */
    V2
}
