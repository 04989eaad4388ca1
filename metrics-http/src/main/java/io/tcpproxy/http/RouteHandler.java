package io.tcpproxy.http;

/**
 * Answers the requests for one path of the responder. Called on the responder thread; must not block.
 */
interface RouteHandler
{
    /**
     * Answer one request; exactly one of the writer's terminal methods must be called.
     *
     * @param request  the parsed head (its path and query stay readable during the call).
     * @param response writes the answer to the requesting connection.
     */
    void handle(RequestParser request, ResponseWriter response);

    /**
     * @return whether a POST (without a body: request bodies are refused) reaches this handler, e.g. an admin
     *         action; otherwise POST gets 405 like every method but GET and HEAD.
     */
    default boolean acceptsPost()
    {
        return false;
    }
}
