package io.github.mqttsession.actuate;

import io.github.mqttsession.actuate.MqttSessionsEndpoint.SessionDeletion;
import io.github.mqttsession.actuate.MqttSessionsEndpoint.SessionsDescriptor;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The HTTP side of {@link MqttSessionsEndpoint}: answers with a status that says what
 * happened. Deleting a live session is {@code 409 Conflict}, a missing one
 * {@code 404 Not Found}, and a list from a store that cannot list
 * {@code 501 Not Implemented}, each with a body whose {@code message} says why.
 */
@EndpointWebExtension(endpoint = MqttSessionsEndpoint.class)
public class MqttSessionsEndpointWebExtension {

	/** HTTP 409: the request conflicts with the state of the resource. */
	static final int STATUS_CONFLICT = 409;

	/** HTTP 501: the server does not support what the request needs. */
	static final int STATUS_NOT_IMPLEMENTED = 501;

	private final MqttSessionsEndpoint delegate;

	/**
	 * Creates the extension.
	 * @param delegate the endpoint it extends
	 */
	public MqttSessionsEndpointWebExtension(MqttSessionsEndpoint delegate) {
		this.delegate = delegate;
	}

	/**
	 * Lists the stored sessions; {@code 501} when the store cannot list them.
	 * @return the sessions
	 */
	@ReadOperation
	public WebEndpointResponse<SessionsDescriptor> sessions() {
		SessionsDescriptor sessions = this.delegate.sessions();
		return new WebEndpointResponse<>(sessions,
				sessions.listed() ? WebEndpointResponse.STATUS_OK : STATUS_NOT_IMPLEMENTED);
	}

	/**
	 * Deletes a session unless it is live: {@code 200} when deleted, {@code 409} when
	 * live, {@code 404} when missing.
	 * @param clientId the session's client id
	 * @return what happened
	 */
	@DeleteOperation
	public WebEndpointResponse<SessionDeletion> deleteSession(@Selector String clientId) {
		SessionDeletion deletion = this.delegate.deleteSession(clientId);
		int status = switch (deletion.outcome()) {
			case DELETED -> WebEndpointResponse.STATUS_OK;
			case NOT_FOUND -> WebEndpointResponse.STATUS_NOT_FOUND;
			case REFUSED_LIVE -> STATUS_CONFLICT;
		};
		return new WebEndpointResponse<>(deletion, status);
	}

}
