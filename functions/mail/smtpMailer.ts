// SMTP mail adapter: sends the finished MIME bytes unchanged, so what is archived is what was sent.
import nodemailer, { type Transporter } from 'nodemailer';
import { messageIdOf, type MailToSend, type Mailer, type SendResult } from './mailer.ts';

export interface SmtpOptions {
  host: string;
  port: number;
  secure: boolean;
  user?: string | undefined;
  password?: string | undefined;
}

export class SmtpMailer implements Mailer {
  readonly kind = 'smtp';
  private readonly transport: Transporter;

  constructor(private readonly options: SmtpOptions) {
    this.transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure,
      ...(options.user ? { auth: { user: options.user, pass: options.password ?? '' } } : {}),
    });
  }

  async send(message: MailToSend): Promise<SendResult> {
    try {
      const info = await this.transport.sendMail({ envelope: { from: message.from, to: message.to }, raw: message.raw });
      const rejected = (info.rejected ?? []).map(String);
      if (rejected.length > 0) throw new Error(`the server refused ${rejected.join(', ')}: ${info.response}`);
      return { messageId: messageIdOf(message.raw) || info.messageId, accepted: (info.accepted ?? []).map(String) };
    } catch (err) {
      throw new Error(`SMTP ${this.options.host}:${this.options.port} did not take the message for ${message.to.join(', ')}: ${(err as Error).message}`);
    }
  }
}
