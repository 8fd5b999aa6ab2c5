// How the report e-mail leaves: an SES configuration set the weekly function must send through
// (TLS required, reputation metrics on, addresses that bounced or complained suppressed), whose
// bounces, complaints and rejections go to the operations topic. The sender identity itself is
// verified outside the stack (docs/deploy.md): verifying a domain needs its DNS.
import { Stack } from 'aws-cdk-lib';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { ConfigurationSet, ConfigurationSetTlsPolicy, EmailSendingEvent, EventDestination, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface MailSettingsProps {
  configurationSetName: string;
  /** The From address; SES must have it, or its domain, verified. */
  senderAddress: string;
  notifications: ITopic;
}

export class MailSettings extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly configurationSetName: string;
  readonly configurationSetArn: string;
  /** The identities SES may authorise the From address under: the address and its domain. */
  readonly identityArns: readonly string[];

  constructor(scope: Construct, id: string, props: MailSettingsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.configurationSetName = props.configurationSetName;
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: props.configurationSetName,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('Problems', {
      destination: EventDestination.snsTopic(props.notifications),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.REJECT, EmailSendingEvent.RENDERING_FAILURE, EmailSendingEvent.DELIVERY_DELAY],
    });
    this.configurationSetArn = stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: props.configurationSetName });
    const domain = props.senderAddress.slice(props.senderAddress.lastIndexOf('@') + 1);
    this.identityArns = [props.senderAddress, domain].map((identity) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }));
  }
}
