package io.github.mqttsession.autoconfigure;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.core.Ordered;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.StandardIntegrationFlow;
import org.springframework.integration.support.context.NamedComponent;
import org.springframework.messaging.MessageChannel;

/**
 * Gives a channel that an application's {@link IntegrationFlow} declares under the
 * inbound or outbound channel's name
 * ({@code MessageChannels.executor("mqttInboundChannel", …)},
 * {@code IntegrationFlow.from(name, true)}) precedence over the starter's direct channel
 * of that name: such a channel becomes a bean only when Spring Integration processes the
 * flow, after the starter defined its own, and Spring Integration refuses a second
 * channel of one name. So the starter's definition is withdrawn first, as long as nothing
 * has created it yet.
 * <p>
 * Ordered so that it sees a flow before Spring Integration's own (unordered)
 * post-processor registers its parts.
 */
final class FlowChannelPrecedence implements BeanPostProcessor, BeanFactoryAware, Ordered {

	private DefaultListableBeanFactory beanFactory;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = (beanFactory instanceof DefaultListableBeanFactory listable) ? listable : null;
	}

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) throws BeansException {
		if (this.beanFactory != null && bean instanceof StandardIntegrationFlow flow) {
			for (Object component : flow.getIntegrationComponents().keySet()) {
				// A channel the flow only refers to by name is a MessageChannelReference,
				// not a NamedComponent
				if (component instanceof MessageChannel && component instanceof NamedComponent named
						&& named.getBeanName() != null) {
					withdrawStarterChannel(named.getBeanName());
				}
			}
		}
		return bean;
	}

	private void withdrawStarterChannel(String name) {
		if (this.beanFactory.containsBeanDefinition(name)
				&& this.beanFactory.getBeanDefinition(name).hasAttribute(MqttChannelRegistrar.STARTER_CHANNEL)
				&& !this.beanFactory.containsSingleton(name)) {
			this.beanFactory.removeBeanDefinition(name);
		}
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
